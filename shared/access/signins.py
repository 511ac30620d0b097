"""The signed-in sessions of the web pages, kept in the database.

Every role that has pages signs in with its token once — ``admin`` (``/admin``),
``validator`` and ``structure`` (``/declarations``); a ``source`` token only posts events
and opens none. The browser's cookie holds a random session id (256 bits); the table
holds only its SHA-256, the token it was opened with and when it ends. So a session ends
for every replica at once when its row goes: at sign-out, when its token is revoked
(shared.access.tokens.revoke_token) or expires, or when its lifetime is over. A copy of the
cookie is worth nothing after that, whoever holds the signing key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from shared.access.tokens import Caller, caller_of, usable
from shared.storage.models.access import Token, WebSession
from shared.storage.models.base import utcnow
from shared.times import as_utc

# The roles that have pages to sign in to.
PAGE_ROLES: tuple[str, ...] = ("admin", "validator", "structure")


@dataclass(frozen=True)
class SignedIn:
    """The caller of a live session, and when the session ends."""

    caller: Caller
    expires_at: dt.datetime


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def open_web_session(session: Session, caller: Caller, lifetime: dt.timedelta) -> str:
    """A new session for a token of one of PAGE_ROLES; its id, for the cookie (never stored)."""
    if caller.role not in PAGE_ROLES:
        raise ValueError(f"a {caller.role!r} token opens no session")
    now = utcnow()
    # Sessions past their end are swept here, at the rare moment someone signs in.
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    session_id = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            id_hash=_digest(session_id),
            token_id=caller.token_id,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    session.flush()
    return session_id


def signed_in_as(session: Session, session_id: str) -> SignedIn | None:
    """Who a live session stands for: not ended, its token still usable and of a page role."""
    row = session.execute(
        select(WebSession, Token)
        .join(Token, Token.id == WebSession.token_id)
        .where(WebSession.id_hash == _digest(session_id))
    ).one_or_none()
    if row is None:
        return None
    web_session, token = row
    now = utcnow()
    expires_at = as_utc(web_session.expires_at)
    if expires_at <= now or not usable(token, now) or token.role not in PAGE_ROLES:
        return None
    return SignedIn(caller_of(token), expires_at)


def close_web_session(session: Session, session_id: str) -> None:
    """End a session (sign-out)."""
    session.execute(delete(WebSession).where(WebSession.id_hash == _digest(session_id)))
