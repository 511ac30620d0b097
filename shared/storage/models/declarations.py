"""The ICARE campaign's tables: the declarations, their audit trail, and each year's window."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.storage.models.base import Base, utcnow


class Declaration(Base):
    """A structure's annual ICARE declaration (SPEC §5): staff and funding, in euros."""

    __tablename__ = "declarations"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    structure_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # The structure's region when last submitted: the validators' scope.
    region: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(16))
    professionals: Mapped[int] = mapped_column(Integer)
    funding_main: Mapped[int] = mapped_column(BigInteger)
    funding_specific: Mapped[int] = mapped_column(BigInteger)
    funding_managed_funds: Mapped[int] = mapped_column(BigInteger)
    funder_state: Mapped[int] = mapped_column(BigInteger)
    funder_region: Mapped[int] = mapped_column(BigInteger)
    funder_department: Mapped[int] = mapped_column(BigInteger)
    funder_municipalities: Mapped[int] = mapped_column(BigInteger)
    funder_esf: Mapped[int] = mapped_column(BigInteger)
    funder_other: Mapped[int] = mapped_column(BigInteger)
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(String(2000))


class DeclarationAudit(Base):
    """The audit trail of the declarations: who did what, when; never updated."""

    __tablename__ = "declaration_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(Integer)
    structure_id: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    token_id: Mapped[int | None] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reason: Mapped[str | None] = mapped_column(String(2000))
    content: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_declaration_audit_declaration", "year", "structure_id", "id"),)


class Campaign(Base):
    """The declaration window of a year (SPEC §5): its structures declare from ``opens_on``
    to ``closes_on``, both included, in Paris. A year without a row is open."""

    __tablename__ = "campaigns"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    opens_on: Mapped[dt.date] = mapped_column(Date)
    closes_on: Mapped[dt.date] = mapped_column(Date)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    token_id: Mapped[int | None] = mapped_column(Integer)
