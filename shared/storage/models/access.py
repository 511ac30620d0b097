"""The access tables: API tokens, the signed-in sessions of the pages, the shared secrets."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.storage.models.base import Base, utcnow


class Token(Base):
    """An API token; only the SHA-256 of its secret is kept."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    structures: Mapped[list[str]] = mapped_column(JSON, default=list)
    region: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Refused from this moment on (bilan token create --expires-in; bilan token revoke).
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Written at most once a minute per token (shared/access/tokens.py), never once per request.
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AppSecret(Base):
    """A secret every replica of a service must share, generated once (the web's session key)."""

    __tablename__ = "app_secrets"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SignIn(Base):
    """A sign-in to the pages (every role but ``source``, shared/access/signins.py); the
    sign-in cookie holds its id, this table only its SHA-256.

    Deleting the row (sign-out, revocation of its token, expiry) ends the sign-in on every
    replica. The table keeps the name schema 0005 gave it, when only /admin signed in.
    """

    __tablename__ = "admin_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_id: Mapped[int] = mapped_column(Integer, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
