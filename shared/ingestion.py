"""Recording a batch of events in the log (what a ``202`` promises).

All or nothing: every event is checked (schema, registry, token scope,
duplicates and conflicts, retraction rules) before anything is written, and the
caller commits the whole batch in one transaction.

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
from sqlalchemy.orm import Session

from shared.bulk import bulk_upsert, copy_new_rows, is_postgres, member_of
from shared.checkpoints import reached
from shared.events import CONTENT_FIELDS, Event, InvalidEvent, event_record, same_content
from shared.models import Batch, EventRow, RetractionRow, table_of
from shared.registry import structure_regions
from shared.retractions import MATCHED_FIELDS, retracts
from shared.tokens import Caller

CHUNK = 5000
_CONTENT_COLUMNS = [table_of(EventRow).c[name] for name in CONTENT_FIELDS]


@dataclass(frozen=True)
class EventError:
    index: int
    event_id: str | None
    code: str  # invalid | unknown_structure | conflict | forbidden_structure
    message: str


class Rejected(Exception):
    """The batch breaks the rules: nothing of it may be recorded."""

    def __init__(self, errors: list[EventError]) -> None:
        super().__init__(f"{len(errors)} invalid event(s)")
        self.errors = errors


@dataclass(frozen=True)
class Recorded:
    batch_id: str
    accepted: int
    duplicates: int


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


def record_events(
    session: Session, items: Sequence[Event | InvalidEvent], caller: Caller | None
) -> Recorded:
    """Validate and record one batch of decoded events (shared.events.decode_elements or
    decode_array); raise Rejected with every error found."""
    errors: list[EventError] = []
    records: list[tuple[int, dict[str, Any]]] = []
    for index, item in enumerate(items):
        if isinstance(item, InvalidEvent):
            errors.append(EventError(index, item.event_id, "invalid", str(item)))
        else:
            records.append((index, event_record(item)))

    # Within the request: the same id twice is a duplicate if identical, else a conflict.
    first: dict[str, dict[str, Any]] = {}
    unique: list[tuple[int, dict[str, Any]]] = []
    duplicates = 0
    for index, record in records:
        seen = first.get(record["event_id"])
        if seen is None:
            first[record["event_id"]] = record
            unique.append((index, record))
        elif same_content(seen, record):
            duplicates += 1
        else:
            errors.append(
                EventError(
                    index,
                    record["event_id"],
                    "conflict",
                    "event_id appears earlier in this request with other content",
                )
            )

    regions = structure_regions(session, (r["structure_id"] for _, r in unique))
    candidates: list[tuple[int, dict[str, Any]]] = []
    for index, record in unique:
        event_id, structure_id = record["event_id"], record["structure_id"]
        if structure_id not in regions:
            message = f"structure {structure_id} is not in the registry"
            errors.append(EventError(index, event_id, "unknown_structure", message))
        elif caller is not None and not caller.may_post_for(structure_id):
            message = f"this token may not post events for structure {structure_id}"
            errors.append(EventError(index, event_id, "forbidden_structure", message))
        else:
            record["region"] = regions[structure_id]
            candidates.append((index, record))

    errors.extend(_retraction_errors(session, candidates, caller))
    if errors:
        # Rejected anyway: also name the conflicts, so that the client sees every error.
        errors.extend(_conflicts(session, candidates)[1])
        raise Rejected(sorted(errors, key=lambda e: e.index))

    # Insert first and look up only what was not inserted: a resend is rare, and probing
    # the log's primary key for every event beforehand would double the inserts' cost.
    batch_id = uuid.uuid4().hex
    rows = [dict(record, batch_id=batch_id) for _, record in candidates]
    inserted = _insert_new(session, rows)
    if len(inserted) < len(rows):
        already = [(i, r) for i, r in candidates if r["event_id"] not in inserted]
        same, conflicts = _conflicts(session, already)
        if conflicts:
            raise Rejected(conflicts)
        duplicates += same
    _index_retractions(
        session, [r for r in rows if r["type"] == "retraction" and r["event_id"] in inserted]
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


def _conflicts(
    session: Session, candidates: list[tuple[int, dict[str, Any]]]
) -> tuple[int, list[EventError]]:
    """Among these, how many are recorded already with the same content, and the conflicts."""
    stored = {
        r["event_id"]: r
        for r in _stored(session, EventRow.event_id, [r["event_id"] for _, r in candidates])
    }
    same = 0
    conflicts = []
    for index, record in candidates:
        known = stored.get(record["event_id"])
        if known is None:
            continue
        if same_content(known, record):
            same += 1
        else:
            message = "event_id already recorded with other content"
            conflicts.append(EventError(index, record["event_id"], "conflict", message))
    return same, conflicts


def _retraction_errors(
    session: Session, new: list[tuple[int, dict[str, Any]]], caller: Caller | None
) -> list[EventError]:
    """SPEC §3.2: a retraction whose target is recorded (or in this request) retracts it.

    Only retractions are checked: an event is never refused because of a retraction
    recorded earlier (one that does not match it is inert, shared/retractions.py), so
    no source can block another's events by retracting their ids first.
    """
    in_request = {record["event_id"]: record for _, record in new}
    targets = {r["retracts"] for _, r in new if r["type"] == "retraction"} - in_request.keys()
    stored = {r["event_id"]: r for r in _stored(session, EventRow.event_id, sorted(targets))}
    errors: list[EventError] = []
    for index, record in new:
        if record["type"] != "retraction":
            continue
        target = in_request.get(record["retracts"]) or stored.get(record["retracts"])
        if target is not None:
            mismatch = _retraction_mismatch(record, target, caller)
            if mismatch:
                errors.append(EventError(index, record["event_id"], "invalid", mismatch))
    return errors


_EVENT_FIELDS = (*CONTENT_FIELDS, "region", "batch_id")


def _insert_new(session: Session, rows: list[dict[str, Any]]) -> set[str]:
    """Insert the rows, skipping ids recorded already (or by a request running meanwhile);
    the ids inserted."""
    # In id order, so that two requests sharing ids lock them in the same order.
    ordered = sorted(tuple(row[f] for f in _EVENT_FIELDS) for row in rows)
    table = table_of(EventRow)
    if is_postgres(session) and copy_new_rows(session, table, _EVENT_FIELDS, ordered):
        return {row["event_id"] for row in rows}
    # Some are recorded already (a resend): the slower statement that skips them.
    inserted = bulk_upsert(
        session, table, _EVENT_FIELDS, ordered, key=("event_id",), returning=("event_id",)
    )
    return {event_id for (event_id,) in inserted}


def _index_retractions(session: Session, retractions: list[dict[str, Any]]) -> None:
    """File each retraction under the (year, youth) of the events it can retract."""
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
        for r in retractions
    )
    columns = ("year", "youth_id", "event_id", "target_id", "batch_id", "occurred_on")
    bulk_upsert(
        session,
        table_of(RetractionRow),
        (*columns, "structure_id"),
        rows,
        key=("year", "youth_id", "event_id"),
    )
