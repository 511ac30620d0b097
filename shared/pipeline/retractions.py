"""Which retraction retracts which event (SPEC §3.2): the one rule, for every reader.

A retraction names its target by ``retracts`` and carries the target's
``occurred_on``, ``structure_id`` and ``youth_id``. It retracts the target only
when the three match and the target is not itself a retraction; otherwise it is
*inert*: the target is accepted and counts, and the retraction is listed for
admins (``bilan retractions``). Since the rule reads only the two events'
contents, which never change once recorded, it gives the same answer whatever
the arrival order and whoever asks: ingest (a mismatch with a target already
recorded is refused), the live counters (shared/pipeline/counters.py), the recomputation
from the log (shared/pipeline/recompute.py) and the consolidation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from shared.storage.models.log import EventRow, RetractionRow

MATCHED_FIELDS: tuple[str, ...] = ("occurred_on", "structure_id", "youth_id")


def matched_fields(row: Any) -> dict[str, Any]:
    """What ``retracts`` reads of an event or a retraction (a row or a record): its type and
    the MATCHED_FIELDS."""
    return {field: getattr(row, field) for field in ("type", *MATCHED_FIELDS)}


def retracts(retraction: Mapping[str, Any], target: Mapping[str, Any]) -> bool:
    """Whether ``retraction`` (aiming at ``target``) removes it from every figure."""
    return target["type"] != "retraction" and all(
        retraction[field] == target[field] for field in MATCHED_FIELDS
    )


def counted_events(events: Iterable[Any]) -> list[Any]:
    """The events that count among ``events`` (records with the columns of the ``events``
    table): retractions left out, and every event a retraction of the same list retracts."""
    events = list(events)
    by_id = {e.event_id: e for e in events}
    retracted = {
        e.retracts
        for e in events
        if e.type == "retraction"
        and e.retracts in by_id
        and retracts(matched_fields(e), matched_fields(by_id[e.retracts]))
    }
    return [e for e in events if e.type != "retraction" and e.event_id not in retracted]


def matched_sql(retraction: str, target: str) -> str:
    """The SQL condition of ``retracts`` between table aliases (the target not a retraction)."""
    same = " AND ".join(f"{retraction}.{f} = {target}.{f}" for f in MATCHED_FIELDS)
    return f"{target}.type <> 'retraction' AND {same}"


@dataclass(frozen=True)
class InertRetraction:
    """A recorded retraction that retracts nothing, and why."""

    event_id: str
    target_id: str
    reason: str  # "retraction" (its target is one) or the first field that differs


def inert_retractions(session: Session, limit: int = 1000) -> list[InertRetraction]:
    """Recorded retractions whose recorded target they do not retract, by retraction id."""
    target = aliased(EventRow)
    rows = session.execute(
        select(RetractionRow, target.type, *(getattr(target, f) for f in MATCHED_FIELDS))
        .join(target, target.event_id == RetractionRow.target_id)
        .order_by(RetractionRow.event_id)
    )
    found: list[InertRetraction] = []
    for retraction, target_type, *values in rows:
        fields = {"type": target_type, **dict(zip(MATCHED_FIELDS, values, strict=True))}
        mine = {f: getattr(retraction, f) for f in MATCHED_FIELDS}
        if retracts(mine, fields):
            continue
        reason = (
            "retraction"
            if target_type == "retraction"
            else next(f for f in MATCHED_FIELDS if mine[f] != fields[f])
        )
        found.append(InertRetraction(retraction.event_id, retraction.target_id, reason))
        if len(found) >= limit:
            break
    return found
