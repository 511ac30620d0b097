"""The youths' profiles (SPEC §4.2): each youth's profile and lock, and the live figures of each
profile category."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.storage.models.base import Base
from shared.storage.models.counters import Counted


class YouthProfileRow(Base):
    """A youth's profile (SPEC §4.2) over the applied batches, and the youth's lock.

    Every claim locks the row of each youth of its events first (shared/pipeline/counters.py):
    the row orders every change to that youth's figures, in every year. ``source_id`` is the
    first reception that gives the profile (None: no profile, every field unknown).
    """

    __tablename__ = "youth_profiles"

    youth_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source_id: Mapped[str | None] = mapped_column(String(128))
    source_on: Mapped[dt.date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(1))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    education_level: Mapped[str | None] = mapped_column(String(8))

    __table_args__ = ({"postgresql_with": {"fillfactor": 80}},)


class ProfileCounts(Counted, Base):
    """The COUNTED figures of the youths of one profile category in a (year, scope): the
    rows of ``GET /v1/figures/breakdown?by=sex|age|education_level`` (shared/profiles.py)."""

    __tablename__ = "profile_counts"

    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    scope: Mapped[str] = mapped_column(String(48), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    category: Mapped[str] = mapped_column(String(8), primary_key=True)

    # As figure_counts: half of each page free for the claims' updates (migration 0012f).
    __table_args__ = ({"postgresql_with": {"fillfactor": 50}},)
