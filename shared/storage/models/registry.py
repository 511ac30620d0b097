"""The registry's tables: the structures, and the number that stands for each in the
youths' codes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.storage.models.base import Base, utcnow


class Structure(Base):
    """A mission locale or PAIO of the registry."""

    __tablename__ = "structures"

    structure_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    region: Mapped[str] = mapped_column(String(2), index=True)
    opened_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The structure's contact for the campaign's mails (shared/mail/addresses.py); read only
    # by admins and by the structure itself.
    email: Mapped[str | None] = mapped_column(String(254))


class StructureNumber(Base):
    """The small integer that stands for a structure in the youths' codes
    (shared/pipeline/codes.py).

    Given once, when the structure enters the registry, and never changed.
    """

    __tablename__ = "structure_numbers"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    structure_id: Mapped[str] = mapped_column(String(32), unique=True)
