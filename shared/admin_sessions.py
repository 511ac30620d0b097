"""The signed-in sessions of ``/admin``, kept in the database.

The browser's cookie holds a random session id (256 bits); the table holds only its
SHA-256, the admin token it was opened with and when it ends. So a session ends for
every replica at once when its row goes: at logout, when its token is revoked
(shared.tokens.revoke_token) or expires, or when its lifetime is over. A copy of the
cookie is worth nothing after that, whoever holds the signing key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from shared.models import AdminSession, Token, utcnow
from shared.times import as_utc
from shared.tokens import Caller, caller_of, usable


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def open_admin_session(session: Session, caller: Caller, lifetime: dt.timedelta) -> str:
    """A new session for an admin token; its id, for the cookie (never stored)."""
    now = utcnow()
    # Sessions past their end are swept here, at the rare moment someone signs in.
    session.execute(delete(AdminSession).where(AdminSession.expires_at < now))
    session_id = secrets.token_urlsafe(32)
    session.add(
        AdminSession(
            id_hash=_digest(session_id),
            token_id=caller.token_id,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    session.flush()
    return session_id


def admin_of_session(session: Session, session_id: str) -> Caller | None:
    """The admin of a live session: not ended, its token still usable and still an admin's."""
    row = session.execute(
        select(AdminSession, Token)
        .join(Token, Token.id == AdminSession.token_id)
        .where(AdminSession.id_hash == _digest(session_id))
    ).one_or_none()
    if row is None:
        return None
    admin_session, token = row
    now = utcnow()
    if as_utc(admin_session.expires_at) <= now or not usable(token, now) or token.role != "admin":
        return None
    return caller_of(token)


def close_admin_session(session: Session, session_id: str) -> None:
    """End a session (logout)."""
    session.execute(delete(AdminSession).where(AdminSession.id_hash == _digest(session_id)))
