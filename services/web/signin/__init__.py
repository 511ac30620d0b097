"""Signing in to the pages with a token, for every role that has pages: the one room of it.

A structure (its ICARE declaration), a regional validator (the DRTEFP's validation) and
an admin (campaign, consolidation) each enter their token once on ``/connexion`` (an
admin also on ``/admin``'s own form, ``/admin/login``); the sign-in is a database row
(shared/access/signins.py) and the sign-in cookie (services/web/sign_in_cookie.py) holds
its random id. ``forms`` describes the two forms, ``pages`` signs in and out, ``identity``
says who is signed in on a page and refuses the others, in French: a 401 page holding a
sign-in form, a 403 page naming the role the page is for. The features say where each
role lands once signed in (``identity.add_home``).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request

from services.web.sign_in_cookie import under_cookie_path
from services.web.signin.identity import SignInRequired, csrf_field, current_identity
from services.web.signin.pages import sign_in_required
from services.web.signin.routes import bp


def init_app(app: Flask) -> None:
    """The sign-in pages, the 401 page, and who is signed in for every template."""
    app.register_blueprint(bp)
    app.register_error_handler(SignInRequired, sign_in_required)

    @app.context_processor
    def _identity() -> dict[str, Any]:
        signed_in_path = under_cookie_path(request.path)
        return {
            "identity": current_identity() if signed_in_path else None,
            "signed_in_path": signed_in_path,
            "csrf_field": csrf_field,
        }
