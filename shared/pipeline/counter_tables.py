"""The tables behind the apply protocol of shared/pipeline/counters.py: reading a claim's events,
locking and appending to ``youth_state``, the retractions and targets it decides on,
moving ``figure_counts``, the structures' numbers. On PostgreSQL the large reads and
writes go through the driver with one array per column: a claim is tens of thousands
of rows, and building an IN list of pairs costs more than running the statement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from shared.figures import COUNTED
from shared.scopes import Cell
from shared.storage.bulk import bulk_upsert, is_postgres, member_of
from shared.storage.db import driver_connection, upsert
from shared.storage.models.base import table_of
from shared.storage.models.counters import FigureCounts, YouthState
from shared.storage.models.log import Batch, EventRow, RetractionRow
from shared.storage.models.registry import StructureNumber

CHUNK = 5000
Key = tuple[int, str]  # (year, youth_id): one youth_state row


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


class ClaimedEvent(NamedTuple):
    """What applying reads of an event."""

    event_id: str
    type: str
    occurred_on: dt.date
    structure_id: str
    region: str
    youth_id: str
    outcome: str | None
    exit_reason: str | None
    retracts: str | None
    youth_sex: str | None
    youth_birth_year: int | None
    youth_education_level: str | None


_EVENTS = table_of(EventRow)
_EVENT_COLUMNS = tuple(_EVENTS.c[name] for name in ClaimedEvent._fields)


def claimed_events(session: Session, batch_ids: Sequence[str]) -> list[ClaimedEvent]:
    """The events of these batches."""
    if is_postgres(session):
        # Straight from the driver: a claim is tens of thousands of rows.
        sql = f"SELECT {', '.join(ClaimedEvent._fields)} FROM events WHERE batch_id = ANY(%s)"
        with driver_connection(session).cursor(binary=True) as cursor:
            cursor.execute(sql, (list(batch_ids),))
            return [ClaimedEvent._make(row) for row in cursor.fetchall()]
    return [
        ClaimedEvent._make(row)
        for chunk in _chunks(batch_ids)
        for row in session.execute(
            select(*_EVENT_COLUMNS).where(_EVENTS.c.batch_id.in_(list(chunk)))
        )
    ]


def lock_and_append(session: Session, added: dict[Key, list[int]]) -> dict[Key, list[int]]:
    """Lock (creating if missing) the youth_state row of each key, in key order, appending
    its codes; each key's codes after the append."""
    keys = sorted(added)
    if not keys:
        return {}
    if is_postgres(session):
        sql = (
            "INSERT INTO youth_state (year, youth_id, codes) "
            "SELECT y, id, c::integer[] FROM unnest(%s::smallint[], %b::varchar[], %b::text[]) "
            "AS u(y, id, c) "
            "ON CONFLICT (year, youth_id) DO UPDATE "
            "SET codes = youth_state.codes || EXCLUDED.codes "
            "RETURNING year, youth_id, codes"
        )
        years = "{" + ",".join(str(year) for year, _ in keys) + "}"
        params = (
            years,
            [youth for _, youth in keys],
            ["{" + ",".join(map(str, added[key])) + "}" for key in keys],
        )
        dbapi = driver_connection(session)
        with dbapi.cursor(binary=True) as cursor:
            cursor.execute(sql, params)
            return {(year, youth): list(codes) for year, youth, codes in cursor.fetchall()}
    # SQLite: one writer at a time (BEGIN IMMEDIATE, shared/storage/db.py), the same statement.
    table = table_of(YouthState)
    insert = upsert(session, table)
    statement = insert.on_conflict_do_update(
        index_elements=["year", "youth_id"],
        set_={"codes": table.c.codes.concat(insert.excluded.codes)},
    ).returning(table.c.year, table.c.youth_id, table.c.codes)
    after: dict[Key, list[int]] = {}
    for chunk in _chunks(keys):
        rows = session.execute(
            statement, [{"year": y, "youth_id": id_, "codes": added[(y, id_)]} for y, id_ in chunk]
        )
        after.update(((y, id_), codes) for y, id_, codes in rows)
    return after


def applied_retractions(session: Session, keys: Sequence[Key]) -> list[Any]:
    """The retractions of applied batches filed under these (year, youth) keys."""
    if not keys:
        return []
    if is_postgres(session):
        # The keys as two arrays joined to the primary key: one parameter each, whatever
        # the claim's size (an IN list of pairs costs more to build than to run).
        sql = (
            "SELECT r.event_id, r.target_id, r.occurred_on, r.structure_id, r.youth_id "
            "FROM unnest(%s::smallint[], %b::varchar[]) AS k(year, youth_id) "
            "JOIN retractions r ON r.year = k.year AND r.youth_id = k.youth_id "
            "JOIN batches b ON b.batch_id = r.batch_id AND b.applied_at IS NOT NULL"
        )
        params = ("{" + ",".join(str(year) for year, _ in keys) + "}", [y for _, y in keys])
        with driver_connection(session).cursor(binary=True) as cursor:
            cursor.execute(sql, params)
            return [AppliedRetraction(*row) for row in cursor.fetchall()]
    columns = (
        RetractionRow.event_id,
        RetractionRow.target_id,
        RetractionRow.occurred_on,
        RetractionRow.structure_id,
        RetractionRow.youth_id,
    )
    found: list[Any] = []
    for chunk in _chunks(sorted(keys)):
        found.extend(
            AppliedRetraction(*row)
            for row in session.execute(
                select(*columns)
                .join(Batch, Batch.batch_id == RetractionRow.batch_id)
                .where(
                    tuple_(RetractionRow.year, RetractionRow.youth_id).in_(list(chunk)),
                    Batch.applied_at.is_not(None),
                )
            )
        )
    return found


class AppliedRetraction(NamedTuple):
    """A retraction of an applied batch, as step 3 reads it."""

    event_id: str
    target_id: str
    occurred_on: dt.date
    structure_id: str
    youth_id: str
    type: str = "retraction"


def targets(session: Session, event_ids: Sequence[str]) -> list[Any]:
    """These recorded events, each with whether its batch is applied."""
    found: list[Any] = []
    for chunk in _chunks(event_ids):
        found.extend(
            session.execute(
                select(*_EVENT_COLUMNS, Batch.applied_at.is_not(None).label("applied"))
                .join(Batch, Batch.batch_id == EventRow.batch_id)
                .where(member_of(session, EventRow.event_id, chunk))
            )
        )
    return found


def move_figures(session: Session, deltas: dict[Cell, list[int]]) -> None:
    cells = sorted(deltas)  # in key order, so that concurrent appliers cannot deadlock
    bulk_upsert(
        session,
        table_of(FigureCounts),
        ("period", "scope", *COUNTED),
        [(*cell, *deltas[cell]) for cell in cells],
        key=("period", "scope"),
        increment=COUNTED,
    )


def structure_numbers(session: Session, structure_ids: Iterable[str]) -> dict[str, int]:
    """The number of each of these structures (given when they entered the registry)."""
    wanted = sorted(set(structure_ids))
    found: dict[str, int] = {}
    for chunk in _chunks(wanted):
        rows = session.execute(
            select(StructureNumber.structure_id, StructureNumber.number).where(
                member_of(session, StructureNumber.structure_id, chunk)
            )
        )
        found.update((structure_id, number) for structure_id, number in rows)
    missing = set(wanted) - found.keys()
    if missing:
        raise LookupError(f"structures without a number: {sorted(missing)}")
    return found
