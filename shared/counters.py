"""The live counters: applying recorded batches exactly once, and reading figures.

Applying a batch adds each counted event's fact to its youth in every (period,
scope) cell it counts in, and moves the figure counts by the difference of
``youth_figures`` before and after (shared.figures). The batch's applied mark
is written in the same transaction, so a batch is applied once or not at all.

Retractions (SPEC §3.2), whatever the arrival order. An event counts iff its
batch is applied and ``retracted`` is false. Applying an event first looks for
a recorded retraction of it: if there is one, the event is kept out
(``retracted`` set). Applying a retraction locks its target row, then waits on
the target's batch row (FOR SHARE): a target already applied and not yet
retracted is un-counted; a target not yet applied is left to its own batch,
which will see the retraction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from shared.bulk import bulk_upsert, is_postgres, member_of
from shared.checkpoints import reached
from shared.figures import COUNTED, FACT_INDEX, FACTS, fact_of, figures_delta, with_derived
from shared.models import Batch, EventRow, FigureCounts, RetractionRow, YouthFacts
from shared.scopes import counted_cells

CHUNK = 5000
Cell = tuple[str, str]  # (period, scope)


@dataclass(frozen=True)
class Applied:
    batches: int
    events: int
    counted: int
    uncounted: int


def claim_pending_batches(session: Session, limit: int) -> list[str]:
    """Lock up to ``limit`` unapplied batches, oldest first, skipping those another worker holds."""
    statement = (
        select(Batch.batch_id)
        .where(Batch.applied_at.is_(None))
        .order_by(Batch.received_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(statement))


def pending_events(session: Session) -> int:
    """Events recorded but not yet applied to the counters (all years)."""
    return int(
        session.scalar(
            select(func.coalesce(func.sum(Batch.event_count), 0)).where(Batch.applied_at.is_(None))
        )
        or 0
    )


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


_EVENT_COLUMNS = (
    EventRow.event_id,
    EventRow.batch_id,
    EventRow.type,
    EventRow.occurred_on,
    EventRow.structure_id,
    EventRow.region,
    EventRow.youth_id,
    EventRow.outcome,
    EventRow.exit_reason,
    EventRow.retracts,
    EventRow.retracted,
)


def apply_batches(session: Session, batch_ids: Sequence[str]) -> Applied:
    """Apply these batches (locked by the caller, not yet applied) to the counters."""
    if is_postgres(session):
        # Safe without waiting for the WAL flush: the applied mark and the counter changes
        # commit together, so a crash loses both and the batch is simply applied again.
        session.execute(text("SET LOCAL synchronous_commit = off"))
    mine = set(batch_ids)
    events = [
        row
        for chunk in _chunks(sorted(mine))
        for row in session.execute(
            select(*_EVENT_COLUMNS).where(member_of(session, EventRow.batch_id, chunk))
        )
    ]
    plain = [e for e in events if e.type != "retraction"]
    retractions = [e for e in events if e.type == "retraction"]
    reached("apply:started")

    deltas: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0] * len(FACTS))

    def add(event: Any, sign: int) -> None:
        fact = FACT_INDEX[fact_of(event.type, event.outcome, event.exit_reason)]
        for period, scope in counted_cells(event.occurred_on, event.structure_id, event.region):
            deltas[(period, scope, event.youth_id)][fact] += sign

    # Events that a recorded retraction aims at never count.
    plain_ids = sorted(e.event_id for e in plain)
    kept_out: set[str] = set()
    for chunk in _chunks(plain_ids):
        kept_out.update(
            session.scalars(
                select(RetractionRow.target_id)
                .where(member_of(session, RetractionRow.target_id, chunk))
                .distinct()
            )
        )
    for event in plain:
        if event.event_id not in kept_out:
            add(event, +1)
    _mark_retracted(session, kept_out)

    uncounted = _uncount_targets(session, retractions, mine, add)
    reached("apply:looked-up")

    _apply_deltas(session, deltas)
    session.execute(
        update(Batch)
        .where(Batch.batch_id.in_(sorted(mine)))
        .values(applied_at=dt.datetime.now(dt.UTC))
    )
    reached("apply:done")
    return Applied(len(mine), len(events), len(plain) - len(kept_out), uncounted)


def _mark_retracted(session: Session, event_ids: Iterable[str]) -> None:
    ids = sorted(event_ids)
    for chunk in _chunks(ids):
        session.execute(
            update(EventRow)
            .where(member_of(session, EventRow.event_id, chunk))
            .values(retracted=True)
        )


def _uncount_targets(session: Session, retractions: Sequence[Any], mine: set[str], add: Any) -> int:
    """Remove the effect of already-applied targets of these retractions."""
    target_ids = sorted({r.retracts for r in retractions})
    if not target_ids:
        return 0
    targets = [
        row
        for chunk in _chunks(target_ids)
        for row in session.execute(
            select(*_EVENT_COLUMNS)
            .where(member_of(session, EventRow.event_id, chunk), EventRow.type != "retraction")
            .order_by(EventRow.event_id)
            .with_for_update()
        )
    ]
    live = [t for t in targets if not t.retracted and t.batch_id not in mine]
    target_batches = sorted({t.batch_id for t in live})
    applied: set[str] = set()
    for chunk in _chunks(target_batches):
        applied.update(
            session.scalars(
                select(Batch.batch_id)
                .where(member_of(session, Batch.batch_id, chunk), Batch.applied_at.is_not(None))
                .order_by(Batch.batch_id)
                .with_for_update(read=True)
            )
        )
    removed = [t for t in live if t.batch_id in applied]
    for target in removed:
        add(target, -1)
    _mark_retracted(session, (t.event_id for t in removed))
    return len(removed)


def _apply_deltas(session: Session, deltas: dict[tuple[str, str, str], list[int]]) -> None:
    """Move the youths' facts, then the figure counts by the change of each youth's figures."""
    # Sorted, so that concurrent workers lock rows in the same order (no deadlock).
    keys = sorted(k for k, d in deltas.items() if any(d))
    rows = [(*k, *deltas[k]) for k in keys]
    updated = bulk_upsert(
        session,
        YouthFacts.__table__,
        ("period", "scope", "youth_id", *FACTS),
        rows,
        key=("period", "scope", "youth_id"),
        increment=FACTS,
        returning=("period", "scope", "youth_id", *FACTS),
    )
    figure_moves: dict[Cell, list[int]] = defaultdict(lambda: [0] * len(COUNTED))
    for row in updated:
        after = row[3:]
        delta = deltas[row[:3]]
        before = tuple(a - d for a, d in zip(after, delta, strict=True))
        move = figures_delta(before, after)
        if any(move):
            cell = figure_moves[row[:2]]
            for i, value in enumerate(move):
                cell[i] += value
    cells = sorted(c for c, m in figure_moves.items() if any(m))
    bulk_upsert(
        session,
        FigureCounts.__table__,
        ("period", "scope", *COUNTED),
        [(*c, *figure_moves[c]) for c in cells],
        key=("period", "scope"),
        increment=COUNTED,
    )


def read_counts(session: Session, period: str, scope: str) -> dict[str, int]:
    row = session.get(FigureCounts, (period, scope))
    if row is None:
        return dict.fromkeys(COUNTED, 0)
    return {key: getattr(row, key) for key in COUNTED}


def read_figures(session: Session, period: str, scope: str) -> dict[str, int | float]:
    """Every figure key of SPEC §4 (first table) for one period and scope."""
    return with_derived(read_counts(session, period, scope))


def read_cells(
    session: Session, periods: Sequence[str], scopes: Sequence[str]
) -> dict[Cell, dict[str, int | float]]:
    """The figures of every existing (period, scope) cell among these, for breakdowns."""
    result: dict[Cell, dict[str, int | float]] = {}
    for scope_chunk in _chunks(list(scopes)):
        rows = session.scalars(
            select(FigureCounts).where(
                FigureCounts.period.in_(periods),
                member_of(session, FigureCounts.scope, scope_chunk),
            )
        )
        for row in rows:
            result[(row.period, row.scope)] = with_derived(
                {key: getattr(row, key) for key in COUNTED}
            )
    return result


def zero_figures() -> dict[str, int | float]:
    return with_derived({})
