"""The audit (shared/audit/): who read exact figures or declarations, by the hour, and every
admin action. Ids of tokens only — never a secret, never a youth."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.storage.models.base import Base, utcnow


class AccessRead(Base):
    """A reader's reads of one kind, scope and year within one hour: one row however many
    reads (shared/audit/reads.py)."""

    __tablename__ = "access_reads"

    hour: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    token_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # "token" (Authorization header) or "sign-in" (the pages' cookie, opened with the token).
    via: Mapped[str] = mapped_column(String(8), primary_key=True)
    # What was read: "exact" (the exact figures), "export" (their CSV), "declarations".
    what: Mapped[str] = mapped_column(String(16), primary_key=True)
    # "national", "region:R" or "structure:S".
    scope: Mapped[str] = mapped_column(String(48), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    role: Mapped[str] = mapped_column(String(16))


class AdminAction(Base):
    """An admin action, appended (shared/audit/actions.py)."""

    __tablename__ = "admin_actions"
    __table_args__ = (Index("ix_admin_actions_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The token that acted (None: the command line or the workers, said by ``role``).
    token_id: Mapped[int | None] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str] = mapped_column(String(48))
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(128))
    detail: Mapped[str] = mapped_column(String(500), default="")
