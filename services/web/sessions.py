"""The web's cookie session: its signing key, its cookie, and where it is sent.

The cookie is Flask's signed one and holds only the CSRF token of the forms, the
flashed messages and, once signed in, a random ``/admin`` session id whose row is in
the database (shared/admin_sessions.py): the signing key alone lets no one in.

The key is ``BILAN_SECRET_KEY`` if set (at least 32 characters), else a random key
drawn once and kept in the database (shared/app_secrets.py), where every replica
finds it. It is read on the first request that opens a session, not at start-up, so
the app starts while the database is down; a request that would write a session then
gets a 503 (the database has the key).

The cookie is sent to ``/admin`` only, HttpOnly, SameSite=Lax, Secure when
``BILAN_HTTPS`` says the site is served over HTTPS: the public pages and the API never
see it, so they stay the same for everyone (and cacheable).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from flask import Flask, Request
from flask.sessions import NullSession, SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import ServiceUnavailable

from services.web.db import transaction
from shared.app_secrets import SESSION_KEY, shared_secret

log = logging.getLogger(__name__)

COOKIE_PATH = "/admin"
MIN_KEY_LENGTH = 32


class _KeyUnavailable(NullSession):
    """The session of a request whose key could not be read: empty, and a 503 on writing."""

    def _unavailable(self, *args: Any, **kwargs: Any) -> Any:
        raise ServiceUnavailable("la base de données est injoignable ; réessayez")

    __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = _unavailable


def under_cookie_path(path: str) -> bool:
    """Whether the browser sends the session cookie to ``path``."""
    return path == COOKIE_PATH or path.startswith(COOKIE_PATH + "/")


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


def init_app(app: Flask) -> None:
    """The session's key and cookie, from the settings."""
    settings = app.config["SETTINGS"]
    key = app.config.get("SECRET_KEY") or settings.secret_key
    if key is not None and len(key) < MIN_KEY_LENGTH:
        raise RuntimeError(
            f"BILAN_SECRET_KEY must be at least {MIN_KEY_LENGTH} characters "
            "(or unset: a random key is then kept in the database)"
        )
    app.secret_key = key
    app.session_interface = _DatabaseKeySessions()
    app.config.update(
        SESSION_COOKIE_PATH=COOKIE_PATH,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.https,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=settings.session_hours),
        # The forms' CSRF tokens (Flask-WTF) last as long as the session they are bound to.
        WTF_CSRF_TIME_LIMIT=int(settings.session_hours * 3600),
    )
