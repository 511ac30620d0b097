"""``/chiffres-exacts``: the dashboard in exact figures, for the signed-in of every role.

Statistical confidentiality (public.py) is for the public: the members of the network —
structures, regional validators, admins — read exact figures, as their tokens do on the
API. Only the signed-in pages see the sign-in cookie (``COOKIE_PATHS``,
services/web/sign_in_cookie.py): ``/chiffres-exacts`` is one of them, so that ``/`` never sees
it and stays the same for everyone, and cacheable. The same page, data call and CSV export
as ``/`` (same template and filters), for the ``EXACT`` edition (filters.py); without a
sign-in, the French 401 sign-in page, which comes back here. No cache keeps them:
``Cache-Control: private, no-store``.
"""

from __future__ import annotations

from typing import Any

from flask import Response, make_response

from services.web.live import data, page
from services.web.live.filters import EXACT
from services.web.signin.identity import require_identity
from shared.access.signins import PAGE_ROLES

CACHE_CONTROL = "private, no-store"
MEMBERS = "aux membres du réseau connectés"


def _private(answer: Any) -> Response:
    response = make_response(answer)
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def exact_index() -> Response:
    require_identity(*PAGE_ROLES, what=MEMBERS)
    return _private(page.index(EXACT))


def exact_dashboard_json() -> Response:
    require_identity(*PAGE_ROLES, what=MEMBERS)
    return _private(data.dashboard_json(EXACT))


def exact_export_csv() -> Response:
    require_identity(*PAGE_ROLES, what=MEMBERS)
    return _private(data.export_csv(EXACT))
