"""A claim of batches being applied (shared/pipeline/counters.py): what its steps 1 to 3
find, what applying it reports, and step 3's decision — what it must not count, decided
after the lock — which both ways of looking up (set-based on PostgreSQL, row by row on
SQLite) share.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from shared.pipeline.counter_tables import Key, targets
from shared.pipeline.retractions import matched_fields, retracts
from shared.profiles import Profile


@dataclass(frozen=True)
class LookedUp:
    """What steps 1 to 3 found, with the claim's rows locked: all step 4 needs."""

    events: int  # the claim's events, retractions included
    counted: int  # its events that count (retractions and what they retract left out)
    numbers: dict[str, int]  # the number of each structure of the claim's events
    profiles: dict[str, Profile]  # each youth of the claim: its profile before it
    touched: dict[Key, tuple[list[int], list[int]]]  # (year, youth): codes after, appended
    taken: dict[Key, list[int]]  # the codes of the claim's events a retraction retracts
    uncounted: list[Any]  # the events of applied batches that stop counting
    changed: dict[str, Profile]  # the youths whose profile the claim changes: the new one
    new_youths: frozenset[str] = frozenset()  # youths with no youth_state row before it
    saved: frozenset[str] = frozenset()  # of ``changed``, those whose new profile is written


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
