"""The web's cookie session: its signing key, its cookie, and where it is sent.

The cookie is Flask's signed one and holds only the CSRF token of the forms, the
flashed messages and, once signed in, a random session id whose row is in the database
(shared/access/signins.py): the signing key alone lets no one in.

The key is ``BILAN_SECRET_KEY`` if set (at least 32 characters), else a random key
drawn once and kept in the database (shared/access/secrets.py), where every replica
finds it. It is read on the first request that opens a session, not at start-up, so
the app starts while the database is down; a request that would write a session then
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
from shared.access.secrets import SESSION_KEY, shared_secret
from shared.config import MIN_SECRET_KEY_LENGTH

log = logging.getLogger(__name__)

COOKIE_PATHS: tuple[str, ...] = ("/admin", "/connexion", "/declarations", "/chiffres-exacts")


class _KeyUnavailable(NullSession):
    """The session of a request whose key could not be read: empty, and a 503 on writing."""

    def _unavailable(self, *args: Any, **kwargs: Any) -> Any:
        raise ServiceUnavailable("la base de données est injoignable ; réessayez")

    __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = _unavailable


def under_cookie_path(path: str) -> bool:
    """Whether the browser sends the session cookie to ``path`` (a signed-in page)."""
    return any(path == prefix or path.startswith(prefix + "/") for prefix in COOKIE_PATHS)


class _DatabaseKeySessions(SecureCookieSessionInterface):
    null_session_class = _KeyUnavailable

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            try:
                with transaction() as session:
                    app.secret_key = shared_secret(session, SESSION_KEY)
            except SQLAlchemyError as exc:
                log.warning("session key unavailable (database): %s", exc)
                return None
        return super().get_signing_serializer(app)

    def open_session(self, app: Flask, request: Request) -> Any:
        if not under_cookie_path(request.path):
            # No cookie comes here: no key to read (the API and the public pages never
            # wait for the database because of sessions), and writing is a bug.
            return NullSession()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        # Flask's own, once per path of COOKIE_PATHS; nothing at all off those paths (not
        # even "Vary: Cookie": the public pages are the same for everyone).
        if isinstance(session, NullSession):
            return
        name = self.get_cookie_name(app)
        flags: dict[str, Any] = {
            "domain": self.get_cookie_domain(app),
            "secure": self.get_cookie_secure(app),
            "samesite": self.get_cookie_samesite(app),
            "httponly": self.get_cookie_httponly(app),
        }
        if session.accessed:
            response.vary.add("Cookie")
        if not session:
            if session.modified:
                for path in COOKIE_PATHS:
                    response.delete_cookie(name, path=path, **flags)
                response.vary.add("Cookie")
            return
        if not self.should_set_cookie(app, session):
            return
        serializer = self.get_signing_serializer(app)
        assert serializer is not None  # a session with content was opened with the key
        value = serializer.dumps(dict(session))
        expires = self.get_expiration_time(app, session)
        for path in COOKIE_PATHS:
            response.set_cookie(name, value, expires=expires, path=path, **flags)
        response.vary.add("Cookie")


def init_app(app: Flask) -> None:
    """The session's key and cookie, from the settings."""
    settings = app.config["SETTINGS"]
    key = app.config.get("SECRET_KEY") or settings.secret_key
    if key is not None and len(key) < MIN_SECRET_KEY_LENGTH:
        raise RuntimeError(
            f"BILAN_SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters "
            "(or unset: a random key is then kept in the database)"
        )
    app.secret_key = key
    app.session_interface = _DatabaseKeySessions()
    app.config.update(
        SESSION_COOKIE_PATH=COOKIE_PATHS[0],
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.https,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=settings.session_hours),
        # The session's end is its database row's (fixed at sign-in): re-sending the cookie
        # (on every path) at each page would extend nothing.
        SESSION_REFRESH_EACH_REQUEST=False,
        # The forms' CSRF tokens (Flask-WTF) last as long as the session they are bound to.
        WTF_CSRF_TIME_LIMIT=int(settings.session_hours * 3600),
    )
