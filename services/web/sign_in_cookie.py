"""The sign-in cookie: its signing key, its flags, and the paths it is sent to.

Flask calls it "the session" (``flask.session``, ``SESSION_COOKIE_*``); bilan keeps that
word for the SQLAlchemy session and calls this the sign-in cookie. It is Flask's signed
cookie and holds only the CSRF token of the forms, the flashed messages and, once signed
in, the random id of a sign-in whose row is in the database (shared/access/signins.py):
the signing key alone lets no one in.

The key is ``BILAN_SECRET_KEY`` if set (at least 32 characters), else a random key
drawn once and kept in the database (shared/access/secrets.py), where every replica
finds it. It is read on the first request that opens the cookie, not at start-up, so
the app starts while the database is down; a request that would write the cookie then
gets a 503 (the database has the key).

The cookie is sent to the signed-in pages only (``COOKIE_PATHS``: ``/admin``, the
sign-in page ``/connexion``, the declarations ``/declarations`` and the dashboard in exact
figures ``/chiffres-exacts``), HttpOnly,
SameSite=Lax, Secure when ``BILAN_HTTPS`` says the site is served over HTTPS: the public
pages and the API never see it, so they stay the same for everyone (and cacheable). A
cookie has one path, so the same cookie is set (and deleted) once per path.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import NullSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import ServiceUnavailable

from services.web.db import transaction
from shared.access.secrets import COOKIE_SIGNING_KEY, shared_secret
from shared.config import MIN_SECRET_KEY_LENGTH

log = logging.getLogger(__name__)

COOKIE_PATHS: tuple[str, ...] = ("/admin", "/connexion", "/declarations", "/chiffres-exacts")


class _KeyUnavailable(NullSession):
    """The cookie of a request whose key could not be read: empty, and a 503 on writing."""

    def _unavailable(self, *args: Any, **kwargs: Any) -> Any:
        raise ServiceUnavailable("la base de données est injoignable ; réessayez")

    __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = _unavailable


def under_cookie_path(path: str) -> bool:
    """Whether the browser sends the sign-in cookie to ``path`` (a signed-in page)."""
    return any(path == prefix or path.startswith(prefix + "/") for prefix in COOKIE_PATHS)


class _DatabaseKeyCookie(SecureCookieSessionInterface):
    """Flask's signed cookie, its key from the database, sent to COOKIE_PATHS only."""

    null_session_class = _KeyUnavailable

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            try:
                with transaction() as session:
                    app.secret_key = shared_secret(session, COOKIE_SIGNING_KEY)
            except SQLAlchemyError as exc:
                log.warning("sign-in cookie key unavailable (database): %s", exc)
                return None
        return super().get_signing_serializer(app)

    def open_session(self, app: Flask, request: Request) -> Any:
        if not under_cookie_path(request.path):
            # No cookie comes here: no key to read (the API and the public pages never
            # wait for the database because of the cookie), and writing is a bug.
            return NullSession()
        return super().open_session(app, request)

    def save_session(self, app: Flask, cookie: SessionMixin, response: Response) -> None:
        # Flask's own, once per path of COOKIE_PATHS; nothing at all off those paths (not
        # even "Vary: Cookie": the public pages are the same for everyone).
        if isinstance(cookie, NullSession):
            return
        name = self.get_cookie_name(app)
        flags: dict[str, Any] = {
            "domain": self.get_cookie_domain(app),
            "secure": self.get_cookie_secure(app),
            "samesite": self.get_cookie_samesite(app),
            "httponly": self.get_cookie_httponly(app),
        }
        if cookie.accessed:
            response.vary.add("Cookie")
        if not cookie:
            if cookie.modified:
                for path in COOKIE_PATHS:
                    response.delete_cookie(name, path=path, **flags)
                response.vary.add("Cookie")
            return
        if not self.should_set_cookie(app, cookie):
            return
        serializer = self.get_signing_serializer(app)
        assert serializer is not None  # a cookie with content was opened with the key
        value = serializer.dumps(dict(cookie))
        expires = self.get_expiration_time(app, cookie)
        for path in COOKIE_PATHS:
            response.set_cookie(name, value, expires=expires, path=path, **flags)
        response.vary.add("Cookie")


def init_app(app: Flask) -> None:
    """The sign-in cookie's key and flags, from the settings."""
    settings = app.config["SETTINGS"]
    key = app.config.get("SECRET_KEY") or settings.secret_key
    if key is not None and len(key) < MIN_SECRET_KEY_LENGTH:
        raise RuntimeError(
            f"BILAN_SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters "
            "(or unset: a random key is then kept in the database)"
        )
    app.secret_key = key
    app.session_interface = _DatabaseKeyCookie()
    app.config.update(
        SESSION_COOKIE_PATH=COOKIE_PATHS[0],
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.https,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=settings.session_hours),
        # A sign-in's end is its database row's (fixed at sign-in): re-sending the cookie
        # (on every path) at each page would extend nothing.
        SESSION_REFRESH_EACH_REQUEST=False,
        # The forms' CSRF tokens (Flask-WTF) last as long as the sign-in they are bound to.
        WTF_CSRF_TIME_LIMIT=int(settings.session_hours * 3600),
    )
