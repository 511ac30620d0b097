"""Who is signed in on this page, refusing the others, and the CSRF check of every form.

The sign-in's row is read once per request (kept in ``flask.g``), only on the paths the
sign-in cookie is sent to: a public page never reads it (services/web/sign_in_cookie.py).
Each role's home page (where a sign-in lands) is the feature's to say (``add_home``):
signing in names no feature.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Flask, abort, current_app, g, request, url_for
from flask import session as sign_in_cookie
from flask_wtf.csrf import generate_csrf, validate_csrf
from markupsafe import Markup
from wtforms import ValidationError

from services.http.errors import ApiError
from services.web.db import read_session
from services.web.signin.forms import CONNEXION_FORM, SignInForm
from shared.access.signins import signed_in_as
from shared.access.tokens import Caller
from shared.regions import REGIONS
from shared.storage.models.registry import Structure

# How the pages name each role that signs in.
ROLE_LABELS = {
    "admin": "administrateur",
    "validator": "validation régionale",
    "structure": "structure",
}


@dataclass(frozen=True)
class Identity:
    """The signed-in caller as the pages show it: a name, its role's, and its home page."""

    caller: Caller
    expires_at: dt.datetime
    name: str
    role_label: str
    home: str

    @property
    def role(self) -> str:
        return self.caller.role

    @property
    def structure_id(self) -> str | None:
        """The structure of a structure token."""
        return next(iter(self.caller.structures)) if self.role == "structure" else None


class SignInRequired(Exception):
    """A signed-in page asked for without a sign-in: answered by the 401 page holding
    ``form`` (``/connexion``'s by default)."""

    def __init__(self, form: SignInForm | None = None) -> None:
        super().__init__()
        self.form = form or CONNEXION_FORM


def add_home(app: Flask, endpoint: str, roles: tuple[str, ...]) -> None:
    """The page a sign-in of one of ``roles`` lands on, unless it came from another."""
    homes: dict[str, str] = app.extensions.setdefault("sign_in_homes", {})
    homes.update(dict.fromkeys(roles, endpoint))


def home_of(role: str) -> str:
    """The URL of ``role``'s home page."""
    homes: dict[str, str] = current_app.extensions["sign_in_homes"]
    return url_for(homes[role])


def _identity_of(caller: Caller, expires_at: dt.datetime, structure_name: str | None) -> Identity:
    if caller.role == "structure":
        name = structure_name or "structure inconnue du répertoire"
    elif caller.role == "validator":
        name = f"DRTEFP {REGIONS.get(caller.region or '', caller.region or '')}"
    else:
        name = "Administration nationale"
    return Identity(caller, expires_at, name, ROLE_LABELS[caller.role], home_of(caller.role))


def current_identity() -> Identity | None:
    """Who this request's sign-in stands for, if it is still open (None on public pages)."""
    if "identity" in g:
        identity: Identity | None = g.identity
        return identity
    identity = None
    sign_in_id = sign_in_cookie.get("sid")
    if sign_in_id:
        with read_session() as db:
            signed = signed_in_as(db, sign_in_id)
            if signed is not None:
                caller = signed.caller
                structure = None
                if caller.role == "structure":
                    structure = db.get(Structure, next(iter(caller.structures)))
                name = None if structure is None else structure.name
                identity = _identity_of(caller, signed.expires_at, name)
        if identity is None:
            # Ended (sign-out elsewhere, revocation, expiry): the cookie forgets it too.
            sign_in_cookie.pop("sid", None)
    g.identity = identity
    return identity


def require_identity(*roles: str, what: str, form: SignInForm | None = None) -> Identity:
    """The signed-in identity if its role is one of ``roles``: else the 401 page holding the
    sign-in ``form``, or a 403 page saying the page is for ``what`` (``"aux
    administrateurs"``)."""
    identity = current_identity()
    if identity is None:
        raise SignInRequired(form)
    if identity.role not in roles:
        message = (
            f"Cette page est réservée {what} : vous êtes connecté en tant que "
            f"{identity.role_label} ({identity.name})."
        )
        raise ApiError(403, "forbidden", message)
    return identity


def check_csrf() -> None:
    """A 400 unless the form carries this sign-in cookie's CSRF token (Flask-WTF, bound to
    the cookie: a form posted without one, or with another cookie's, is refused)."""
    try:
        validate_csrf(request.form.get("csrf"))
    except ValidationError:
        abort(400, "Ce formulaire a expiré ou ne vient pas de ce site : rechargez la page.")


def csrf_field() -> Markup:
    """The hidden field of a form's CSRF token (only on the signed-in pages' forms)."""
    return Markup('<input type="hidden" name="csrf" value="{}">').format(generate_csrf())
