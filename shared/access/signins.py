"""The sign-ins to the web pages, kept in the database.

Every role that has pages signs in with its token once — ``admin`` (``/admin``),
``validator`` and ``structure`` (``/declarations``); a ``source`` token only posts events
and opens none. The browser's sign-in cookie holds a random sign-in id (256 bits); the
table holds only its SHA-256, the token it was opened with and when it ends. So a sign-in
ends for every replica at once when its row goes: at sign-out, when its token is revoked
(shared.access.tokens.revoke_token) or expires, or when its lifetime is over. A copy of the
cookie is worth nothing after that, whoever holds the signing key. ("Session", in bilan,
is the SQLAlchemy session only.)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from shared.access.tokens import Caller, caller_of, usable
from shared.storage.models.access import SignIn, Token
from shared.storage.models.base import utcnow
from shared.times import as_utc

# The roles that have pages to sign in to.
PAGE_ROLES: tuple[str, ...] = ("admin", "validator", "structure")


@dataclass(frozen=True)
class SignedIn:
    """The caller of a live sign-in, and when it ends."""

    caller: Caller
    expires_at: dt.datetime


def _digest(sign_in_id: str) -> str:
    return hashlib.sha256(sign_in_id.encode()).hexdigest()


def open_sign_in(session: Session, caller: Caller, lifetime: dt.timedelta) -> str:
    """A new sign-in for a token of one of PAGE_ROLES; its id, for the cookie (never stored)."""
    if caller.role not in PAGE_ROLES:
        raise ValueError(f"a {caller.role!r} token cannot sign in")
    now = utcnow()
    # Sign-ins past their end are swept here, at the rare moment someone signs in.
    session.execute(delete(SignIn).where(SignIn.expires_at < now))
    sign_in_id = secrets.token_urlsafe(32)
    session.add(
        SignIn(
            id_hash=_digest(sign_in_id),
            token_id=caller.token_id,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    session.flush()
    return sign_in_id


def signed_in_as(session: Session, sign_in_id: str) -> SignedIn | None:
    """Who a live sign-in stands for: not ended, its token still usable and of a page role."""
    row = session.execute(
        select(SignIn, Token)
        .join(Token, Token.id == SignIn.token_id)
        .where(SignIn.id_hash == _digest(sign_in_id))
    ).one_or_none()
    if row is None:
        return None
    sign_in, token = row
    now = utcnow()
    expires_at = as_utc(sign_in.expires_at)
    if expires_at <= now or not usable(token, now) or token.role not in PAGE_ROLES:
        return None
    return SignedIn(caller_of(token), expires_at)


def close_sign_in(session: Session, sign_in_id: str) -> None:
    """End a sign-in (sign-out)."""
    session.execute(delete(SignIn).where(SignIn.id_hash == _digest(sign_in_id)))
