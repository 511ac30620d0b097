"""A claim of batches being applied (shared/pipeline/counters.py): what applying it reports,
and step 3 of the apply protocol — what it must not count, decided after the lock — which
both ways of applying (set-based on PostgreSQL, row by row on SQLite) share.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from shared.pipeline.counter_tables import targets
from shared.pipeline.retractions import matched_fields, retracts


@dataclass(frozen=True)
class Applied:
    batches: int
    events: int
    counted: int
    uncounted: int


def decide(
    session: Session,
    ours: Iterable[Any],
    theirs: Iterable[Any],
    claimed: Callable[[Collection[str]], Sequence[Any]],
) -> tuple[list[Any], list[Any]]:
    """(the claim's events that a retraction retracts; the events of other batches that
    counted until now and that a retraction of the claim retracts).

    ``ours``: the claim's retractions; ``theirs``: the retractions of applied batches filed
    under the claim's (year, youth) keys; ``claimed(ids)``: the claim's events among these
    ids, whatever their type. Call it with the claim's youth_state rows locked.
    """
    mine: dict[str, list[dict[str, Any]]] = {}  # target id -> the claim's retractions of it
    for r in ours:
        mine.setdefault(r.retracts, []).append(matched_fields(r))
    applied: dict[str, list[dict[str, Any]]] = {}  # the same, from applied batches
    for r in theirs:
        applied.setdefault(r.target_id, []).append(matched_fields(r))

    def retracted(target: Any, retractions: Iterable[dict[str, Any]]) -> bool:
        fields = matched_fields(target)
        return any(retracts(r, fields) for r in retractions)

    aimed = claimed(mine.keys() | applied.keys())
    kept_out = [
        e
        for e in aimed
        if e.type != "retraction"
        and retracted(e, (*mine.get(e.event_id, ()), *applied.get(e.event_id, ())))
    ]
    here = {e.event_id for e in aimed}
    uncounted = [
        target
        for target in targets(session, sorted(mine.keys() - here))
        if target.applied
        and retracted(target, mine[target.event_id])
        and not retracted(target, applied.get(target.event_id, ()))
    ]
    return kept_out, uncounted
