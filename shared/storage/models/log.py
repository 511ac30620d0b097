"""The log, the source of truth: the accepted batches, their events, and the retractions
filed under the (year, youth) they aim at."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Index, Integer, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column

from shared.storage.models.base import Base, utcnow


class Batch(Base):
    """One accepted POST /v1/events; applied once, atomically with its counter changes."""

    __tablename__ = "batches"

    batch_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    token_id: Mapped[int | None] = mapped_column(Integer)
    event_count: Mapped[int] = mapped_column(Integer)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    applied_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # The first public edition its events are in (shared/publication/edition.py); None: in none yet.
    published_in: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        Index(
            "ix_batches_pending",
            "received_at",
            postgresql_where=text("applied_at IS NULL"),
            sqlite_where=text("applied_at IS NULL"),
        ),
        # The live figures' data version (services/web/freshness.py): max(applied_at), read
        # from this index's end.
        Index("ix_batches_applied_at", "applied_at"),
        # The batches applied since the latest public edition: the events a public answer
        # does not hold yet besides the pending ones (shared/publication/edition.py).
        Index(
            "ix_batches_unpublished",
            "applied_at",
            postgresql_where=text("applied_at IS NOT NULL AND published_in IS NULL"),
            sqlite_where=text("applied_at IS NOT NULL AND published_in IS NULL"),
        ),
    )


PROFILE_EVENTS = (
    "type = 'first_reception' AND (youth_sex IS NOT NULL OR youth_birth_year IS NOT NULL "
    "OR youth_education_level IS NOT NULL)"
)


class EventRow(Base):
    """The event log (SPEC §3), one row per distinct event_id."""

    __tablename__ = "events"

    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(32), index=True)
    type: Mapped[str] = mapped_column(String(16))
    occurred_on: Mapped[dt.date] = mapped_column(Date, index=True)
    structure_id: Mapped[str] = mapped_column(String(32))
    # The structure's region when the event was recorded: events stay self-contained.
    region: Mapped[str] = mapped_column(String(2))
    youth_id: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str | None] = mapped_column(String(32))
    exit_reason: Mapped[str | None] = mapped_column(String(32))
    channel: Mapped[str | None] = mapped_column(String(16))
    retracts: Mapped[str | None] = mapped_column(String(128))
    youth_sex: Mapped[str | None] = mapped_column(String(1))
    youth_birth_year: Mapped[int | None] = mapped_column(Integer)
    youth_education_level: Mapped[str | None] = mapped_column(String(8))

    # A youth's first receptions that carry a profile, looked up when the one giving its
    # profile is retracted (shared/pipeline/profiles.py): a small part of the log.
    __table_args__ = (
        Index(
            "ix_events_profiles",
            "youth_id",
            postgresql_where=text(PROFILE_EVENTS),
            sqlite_where=text(PROFILE_EVENTS),
        ),
    )


class RetractionRow(Base):
    """The retractions of the log, filed under the (year, youth) whose events they aim at.

    A retraction only ever retracts an event with its own ``occurred_on``,
    ``structure_id`` and ``youth_id`` (SPEC §3.2), hence of its own (year, youth): the
    applier of a claim finds every retraction that can concern the claim's events by
    the very keys whose ``youth_state`` rows it holds locked (shared/pipeline/counters.py), in a
    table of retractions only, whatever plan the database picks.
    """

    __tablename__ = "retractions"

    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    youth_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    target_id: Mapped[str] = mapped_column(String(128), index=True)
    batch_id: Mapped[str] = mapped_column(String(32))
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    structure_id: Mapped[str] = mapped_column(String(32))
