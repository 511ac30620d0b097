"""API tokens: created by ``bilan token create``, stored as SHA-256 digests.

Tokens are 256-bit random secrets, so an unsalted digest is enough: there is no
password to brute-force.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.models import Token

ROLES = ("source", "admin", "validator", "structure")


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


def create_token(
    session: Session, role: str, structures: list[str] | None = None, region: str | None = None
) -> str:
    """Store a new token and return its secret (shown once, never stored)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    if role == "validator" and not region:
        raise ValueError("a validator token needs --region")
    if role == "structure" and len(structures or []) != 1:
        raise ValueError("a structure token needs exactly one --structure")
    secret = "bilan_" + secrets.token_urlsafe(32)
    session.add(
        Token(
            token_hash=token_digest(secret),
            role=role,
            structures=list(structures or []),
            region=region,
        )
    )
    session.flush()
    return secret


def authenticate(session: Session, authorization: str | None) -> Caller | None:
    """The caller behind an ``Authorization: Bearer …`` header, or None."""
    if not authorization:
        return None
    scheme, _, secret = authorization.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    token = session.scalar(select(Token).where(Token.token_hash == token_digest(secret.strip())))
    if token is None:
        return None
    return Caller(token.id, token.role, frozenset(token.structures or ()), token.region)
