"""API tokens: created by ``bilan token create``, stored as SHA-256 digests, listed, revoked.

Tokens are 256-bit random secrets, so an unsalted digest is enough: there is no
password to brute-force. A revoked or expired token is refused from that moment on,
by every service: each request looks its token up (one primary-key read), nothing
caches it. Revoking a token also ends the sign-ins opened with it
(shared/access/signins.py).

Looking a token up only reads. "Last used" is a separate step (``UseNotes``), written at
most once a minute per token, in a short transaction of its own: an ingest request does
not pay a write for it, and a read-only session can authenticate.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import threading
import time
from dataclasses import dataclass

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from shared.storage.models.access import SignIn, Token
from shared.storage.models.base import utcnow
from shared.storage.models.registry import Structure
from shared.times import as_utc

log = logging.getLogger(__name__)

ROLES = ("source", "admin", "validator", "structure")

# How stale "last used" may get: the write it costs happens at most this often per token.
LAST_USED_SECONDS = 60.0


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Caller:
    """Who is calling, as far as authorization goes."""

    token_id: int
    role: str
    structures: frozenset[str]
    region: str | None

    def may_post_for(self, structure_id: str) -> bool:
        if self.role == "admin":
            return True
        return not self.structures or structure_id in self.structures


@dataclass(frozen=True)
class TokenInfo:
    """What ``bilan token list`` shows of a token: never its secret, nor its digest."""

    id: int
    role: str
    structures: tuple[str, ...]
    region: str | None
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None


def caller_of(token: Token) -> Caller:
    """The caller a token row stands for."""
    return Caller(token.id, token.role, frozenset(token.structures or ()), token.region)


def usable(token: Token, now: dt.datetime | None = None) -> bool:
    """Neither revoked nor expired at ``now``."""
    now = now or utcnow()
    if token.revoked_at is not None:
        return False
    return token.expires_at is None or as_utc(token.expires_at) > now


def create_token(
    session: Session,
    role: str,
    structures: list[str] | None = None,
    region: str | None = None,
    expires_in: dt.timedelta | None = None,
) -> str:
    """Store a new token and return its secret (shown once, never stored)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    if role == "validator" and not region:
        raise ValueError("a validator token needs --region")
    if role == "structure" and len(structures or []) != 1:
        raise ValueError("a structure token needs exactly one --structure")
    if expires_in is not None and expires_in <= dt.timedelta(0):
        raise ValueError("a token's lifetime must be positive")
    _check_scope(session, structures or [], region)
    secret = "bilan_" + secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        Token(
            token_hash=token_digest(secret),
            role=role,
            structures=list(structures or []),
            region=region,
            created_at=now,
            expires_at=None if expires_in is None else now + expires_in,
        )
    )
    session.flush()
    return secret


def _check_scope(session: Session, structures: list[str], region: str | None) -> None:
    """ValueError unless every structure, and the region, is in the registry (a region is,
    when a structure of the registry is in it)."""
    known = select(Structure.structure_id).where(Structure.structure_id.in_(structures))
    missing = sorted(set(structures) - set(session.scalars(known)))
    if missing:
        listed = ", ".join(repr(s) for s in missing)
        raise ValueError(f"structure {listed} not in the registry (bilan structures list)")
    in_region = select(Structure.structure_id).where(Structure.region == region).limit(1)
    if region is not None and session.scalar(in_region) is None:
        raise ValueError(
            f"region {region!r} not in the registry: no structure of it (bilan structures list)"
        )


def authenticate(session: Session, authorization: str | None) -> Caller | None:
    """The caller behind an ``Authorization: Bearer …`` header, or None (unknown, revoked,
    expired). Reads only: noting the use is ``UseNotes.note``'s."""
    if not authorization:
        return None
    scheme, _, secret = authorization.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    token = session.scalar(select(Token).where(Token.token_hash == token_digest(secret.strip())))
    if token is None or not usable(token):
        return None
    return caller_of(token)


class UseNotes:
    """Notes when tokens were last used: at most once per ``every`` seconds per token from
    this object (one per app, so per process), and not at all when another process noted it
    within that time; each note in a short transaction of its own, which never fails the
    request that asked for it."""

    def __init__(self, sessions: sessionmaker[Session], every: float = LAST_USED_SECONDS) -> None:
        self._sessions = sessions
        self._every = every
        self._noted: dict[int, float] = {}  # token id -> time.monotonic() of this object's note
        self._lock = threading.Lock()

    def note(self, token_id: int, now: dt.datetime | None = None) -> None:
        """Write that ``token_id`` was used at ``now`` (unless noted within ``every``)."""
        with self._lock:
            previous = self._noted.get(token_id)
            if previous is not None and time.monotonic() - previous < self._every:
                return
            self._noted[token_id] = time.monotonic()
        now = now or utcnow()
        stale = now - dt.timedelta(seconds=self._every)
        statement = (
            update(Token)
            .where(Token.id == token_id)
            .where(or_(Token.last_used_at.is_(None), Token.last_used_at < stale))
            .values(last_used_at=now)
        )
        try:
            with self._sessions.begin() as session:
                session.execute(statement)
        except SQLAlchemyError as exc:
            log.warning("could not note the use of token %s: %s", token_id, exc)


def list_tokens(session: Session) -> list[TokenInfo]:
    """Every token, by id."""
    return [
        TokenInfo(
            id=token.id,
            role=token.role,
            structures=tuple(token.structures or ()),
            region=token.region,
            created_at=as_utc(token.created_at),
            last_used_at=None if token.last_used_at is None else as_utc(token.last_used_at),
            expires_at=None if token.expires_at is None else as_utc(token.expires_at),
            revoked_at=None if token.revoked_at is None else as_utc(token.revoked_at),
        )
        for token in session.scalars(select(Token).order_by(Token.id))
    ]


def token_id_of(session: Session, secret: str) -> int | None:
    """The id of the token whose secret this is, if any."""
    return session.scalar(select(Token.id).where(Token.token_hash == token_digest(secret)))


def extend_token(session: Session, token_id: int, lifetime: dt.timedelta) -> bool:
    """Make the token expire ``lifetime`` from now (a token that lives only while a process
    uses it: ``bilan up --demo``); False if it is revoked, expired or missing."""
    token = session.get(Token, token_id)
    if token is None or not usable(token):
        return False
    token.expires_at = utcnow() + lifetime
    session.flush()
    return True


def revoke_token(session: Session, token_id: int) -> bool:
    """Refuse the token from now on and end its sign-ins; False if there is no
    such token. Revoking twice keeps the first date."""
    token = session.get(Token, token_id)
    if token is None:
        return False
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    session.execute(delete(SignIn).where(SignIn.token_id == token_id))
    session.flush()
    return True
