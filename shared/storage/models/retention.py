"""Retention (SPEC §6, ``bilan purge``): the years whose youth-level records were deleted, and
the profiles that first receptions of those years still give to youths of later years."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.storage.models.base import Base, utcnow


class PurgedYear(Base):
    """A year given to ``bilan purge``: ``purging`` from the moment it is closed to new events,
    declarations and consolidations (its youth-level rows still there, every figure too),
    ``purged`` once the transaction deleting them committed (shared/retention/purge.py).

    Every year up to the greatest one here is purged (``--through Y`` closes them all); a row
    is written for Y and for each earlier year that had youth-level records.
    """

    __tablename__ = "purged_years"

    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(8))
    closed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    purged_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # What the purge deleted, for the operator: counts only, never an id.
    events: Mapped[int] = mapped_column(Integer, default=0)
    youths: Mapped[int] = mapped_column(Integer, default=0)


class RetainedProfile(Base):
    """The profile that a purged first reception gave a youth still counted in a later year.

    The log no longer holds that first reception, so the recomputation
    (shared/pipeline/profile_recompute.py) reads the profile here instead, as the earliest of
    the youth's (no event can be earlier: the years up to the purge refuse every event). Only
    the three fields a later year needs are kept: no event id, no date.
    """

    __tablename__ = "retained_profiles"

    youth_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    sex: Mapped[str | None] = mapped_column(String(1))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    education_level: Mapped[str | None] = mapped_column(String(8))
