"""Recording a batch of events in the log (what a ``202`` promises).

All or nothing: every event is checked (schema, registry, token scope,
duplicates and conflicts, retraction rules) before anything is written, and the
whole batch is committed in one transaction (``record_batch``). When that COMMIT fails,
whether it took effect is asked again (shared/storage/commit_outcome.py): the batch is recorded,
or certainly not, or that could not be told in time — three different answers to the
client (SPEC §5).

Nothing here is a check-then-act across transactions that a lock must protect:
an id recorded meanwhile by another request is caught by the primary key (the
insert skips it, then compares its content: duplicate or conflict), and the
retraction rule reads only contents that never change once recorded — a target
recorded meanwhile, unseen, leaves the retraction inert, as if it had come first.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from shared.access.tokens import Caller
from shared.events import CONTENT_FIELDS, Event, InvalidEvent, event_row, same_content
from shared.pipeline.checkpoints import reached
from shared.pipeline.retractions import MATCHED_FIELDS, retracts
from shared.registry import structure_regions
from shared.retention.closure import PURGED_YEAR, YearPurged, closed_through
from shared.storage.bulk import bulk_upsert, copy_new_rows, is_postgres, member_of
from shared.storage.commit_outcome import CHECK_SECONDS, Outcome, commit_outcome, pending_commit
from shared.storage.models.base import table_of
from shared.storage.models.log import Batch, EventRow, RetractionRow

CHUNK = 5000
_CONTENT_COLUMNS = [table_of(EventRow).c[name] for name in CONTENT_FIELDS]


@dataclass(frozen=True)
class EventError:
    index: int
    event_id: str | None
    code: str  # invalid | unknown_structure | conflict | forbidden_structure | purged_year
    message: str


class Rejected(Exception):
    """The batch breaks the rules: nothing of it may be recorded."""

    def __init__(self, errors: list[EventError]) -> None:
        super().__init__(f"{len(errors)} invalid event(s)")
        self.errors = errors


class NotRecorded(Exception):
    """The storage failed: nothing of the batch was recorded (a resend is needed)."""


class OutcomeUnknown(Exception):
    """The COMMIT failed, and whether it took effect could not be told in time: the batch
    may be recorded (a resend is safe: its events come back as duplicates)."""


@dataclass(frozen=True)
class Recorded:
    batch_id: str
    accepted: int
    duplicates: int


def record_batch(
    sessions: sessionmaker[Session],
    items: Sequence[Event | InvalidEvent],
    caller: Caller | None,
    check_seconds: float = CHECK_SECONDS,
) -> Recorded:
    """Validate, record and commit one batch; Recorded once it is durably recorded — also
    when the COMMIT's acknowledgement was lost but the COMMIT took effect. Raise Rejected
    (invalid events), NotRecorded, or OutcomeUnknown when a failed COMMIT's effect could
    not be told within ``check_seconds``."""
    with sessions() as session:
        try:
            recorded = record_events(session, items, caller)
            pending = pending_commit(session, recorded.batch_id)
        except DBAPIError as exc:
            raise NotRecorded(str(exc)) from exc
        reached("ingest:commit")
        try:
            session.commit()
        except DBAPIError as exc:
            outcome = commit_outcome(pending, check_seconds)
            if outcome is Outcome.COMMITTED:
                return recorded  # only the acknowledgement was lost
            if outcome is Outcome.NOT_COMMITTED:
                raise NotRecorded(str(exc)) from exc
            raise OutcomeUnknown(str(exc)) from exc
    return recorded


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _stored(session: Session, column: Any, values: Sequence[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for chunk in _chunks(values):
        rows.extend(
            dict(row._mapping)
            for row in session.execute(
                select(*_CONTENT_COLUMNS).where(member_of(session, column, chunk))
            )
        )
    return rows


def _retraction_mismatch(
    retraction: dict[str, Any], target: dict[str, Any], caller: Caller | None
) -> str | None:
    """Why a retraction does not retract its recorded target, if it does not."""
    if target["type"] == "retraction":
        return f"event {target['event_id']} is a retraction; retracting a retraction is an error"
    if retracts(retraction, target):
        return None
    if caller is not None and not caller.may_post_for(target["structure_id"]):
        # The target belongs to a structure this source may not post for: name no field of it.
        return (
            f"retraction {retraction['event_id']} does not carry the occurred_on, structure_id "
            f"and youth_id of event {target['event_id']}"
        )
    field = next(f for f in MATCHED_FIELDS if retraction[f] != target[f])
    return (
        f"retraction {retraction['event_id']} carries {field} {retraction[field]!s} "
        f"but event {target['event_id']} has {target[field]!s}"
    )


# Positions in a stored row (shared.events.CONTENT_FIELDS, then region and batch_id).
_ID, _TYPE, _DAY, _STRUCTURE, _RETRACTS = (CONTENT_FIELDS.index(f) for f in (
    "event_id", "type", "occurred_on", "structure_id", "retracts"))  # fmt: skip
_EVENT_FIELDS = (*CONTENT_FIELDS, "region", "batch_id")
Row = tuple[Any, ...]


def _named(row: Row) -> dict[str, Any]:
    return dict(zip(_EVENT_FIELDS, row, strict=False))


def record_events(
    session: Session, items: Sequence[Event | InvalidEvent], caller: Caller | None
) -> Recorded:
    """Validate and record one batch of decoded events (shared.events.decode_elements or
    decode_array); raise Rejected with every error found."""
    errors: list[EventError] = []
    # Within the request: the same id twice is a duplicate if identical, else a conflict.
    first: dict[str, Row] = {}
    unique: list[tuple[int, Row]] = []
    duplicates = 0
    for index, item in enumerate(items):
        if isinstance(item, InvalidEvent):
            errors.append(EventError(index, item.event_id, "invalid", str(item)))
            continue
        row = event_row(item)
        seen = first.get(row[_ID])
        if seen is None:
            first[row[_ID]] = row
            unique.append((index, row))
        elif seen == row:
            duplicates += 1
        else:
            message = "event_id appears earlier in this request with other content"
            errors.append(EventError(index, row[_ID], "conflict", message))

    regions = structure_regions(session, {row[_STRUCTURE] for _, row in unique})
    # Under the purge's shared lock until the commit (shared/retention/closure.py): an event
    # of a purged year is refused, also when it was recorded before the purge (a resend).
    purged_through = closed_through(session)
    candidates: list[tuple[int, Row]] = []
    for index, row in unique:
        structure_id = row[_STRUCTURE]
        region = regions.get(structure_id)
        year = row[_DAY].year
        if purged_through is not None and year <= purged_through:
            errors.append(EventError(index, row[_ID], PURGED_YEAR, YearPurged(year).message))
        elif region is None:
            message = f"structure {structure_id} is not in the registry"
            errors.append(EventError(index, row[_ID], "unknown_structure", message))
        elif caller is not None and not caller.may_post_for(structure_id):
            message = f"this token may not post events for structure {structure_id}"
            errors.append(EventError(index, row[_ID], "forbidden_structure", message))
        else:
            candidates.append((index, (*row, region)))

    errors.extend(_retraction_errors(session, candidates, caller))
    if errors:
        # Rejected anyway: also name the conflicts, so that the client sees every error.
        errors.extend(_conflicts(session, candidates)[1])
        raise Rejected(sorted(errors, key=lambda e: e.index))

    # Insert first and look up only what was not inserted: a resend is rare, and probing
    # the log's primary key for every event beforehand would double the inserts' cost.
    batch_id = uuid.uuid4().hex
    rows = [(*row, batch_id) for _, row in candidates]
    inserted = _insert_new(session, rows)
    if len(inserted) < len(rows):
        already = [(i, row) for i, row in candidates if row[_ID] not in inserted]
        same, conflicts = _conflicts(session, already)
        if conflicts:
            raise Rejected(conflicts)
        duplicates += same
    _index_retractions(
        session, [row for row in rows if row[_TYPE] == "retraction" and row[_ID] in inserted]
    )
    accepted = len(inserted)
    session.add(
        Batch(
            batch_id=batch_id,
            token_id=caller.token_id if caller else None,
            event_count=accepted,
            duplicates=duplicates,
            applied_at=None if accepted else dt.datetime.now(dt.UTC),
        )
    )
    session.flush()
    reached("ingest:recorded")
    return Recorded(batch_id, accepted, duplicates)


def _conflicts(session: Session, candidates: list[tuple[int, Row]]) -> tuple[int, list[EventError]]:
    """Among these, how many are recorded already with the same content, and the conflicts."""
    stored = {
        r["event_id"]: r
        for r in _stored(session, EventRow.event_id, [row[_ID] for _, row in candidates])
    }
    same = 0
    conflicts = []
    for index, row in candidates:
        known = stored.get(row[_ID])
        if known is None:
            continue
        if same_content(known, _named(row)):
            same += 1
        else:
            message = "event_id already recorded with other content"
            conflicts.append(EventError(index, row[_ID], "conflict", message))
    return same, conflicts


def _retraction_errors(
    session: Session, new: list[tuple[int, Row]], caller: Caller | None
) -> list[EventError]:
    """SPEC §3.2: a retraction whose target is recorded (or in this request) retracts it.

    Only retractions are checked: an event is never refused because of a retraction
    recorded earlier (one that does not match it is inert, shared/pipeline/retractions.py), so
    no source can block another's events by retracting their ids first.
    """
    retractions = [(i, row) for i, row in new if row[_TYPE] == "retraction"]
    if not retractions:
        return []
    in_request = {row[_ID]: row for _, row in new}
    targets = {row[_RETRACTS] for _, row in retractions} - in_request.keys()
    stored = {r["event_id"]: r for r in _stored(session, EventRow.event_id, sorted(targets))}
    errors: list[EventError] = []
    for index, row in retractions:
        in_this = in_request.get(row[_RETRACTS])
        target = _named(in_this) if in_this is not None else stored.get(row[_RETRACTS])
        if target is not None:
            mismatch = _retraction_mismatch(_named(row), target, caller)
            if mismatch:
                errors.append(EventError(index, row[_ID], "invalid", mismatch))
    return errors


def _insert_new(session: Session, rows: list[Row]) -> set[str]:
    """Insert the rows, skipping ids recorded already (or by a request running meanwhile);
    the ids inserted."""
    # In id order, so that two requests sharing ids lock them in the same order.
    ordered = sorted(rows)
    table = table_of(EventRow)
    if is_postgres(session) and copy_new_rows(session, table, _EVENT_FIELDS, ordered):
        return {row[_ID] for row in rows}
    # Some are recorded already (a resend): the slower statement that skips them.
    inserted = bulk_upsert(
        session, table, _EVENT_FIELDS, ordered, key=("event_id",), returning=("event_id",)
    )
    return {event_id for (event_id,) in inserted}


def _index_retractions(session: Session, retractions: list[Row]) -> None:
    """File each retraction under the (year, youth) of the events it can retract."""
    named = [_named(row) for row in retractions]
    rows = sorted(
        (
            r["occurred_on"].year,
            r["youth_id"],
            r["event_id"],
            r["retracts"],
            r["batch_id"],
            r["occurred_on"],
            r["structure_id"],
        )
        for r in named
    )
    columns = ("year", "youth_id", "event_id", "target_id", "batch_id", "occurred_on")
    bulk_upsert(
        session,
        table_of(RetractionRow),
        (*columns, "structure_id"),
        rows,
        key=("year", "youth_id", "event_id"),
    )
