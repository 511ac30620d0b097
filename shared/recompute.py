"""Figures recomputed from scratch over the event log, with the same definitions
as the live counters (shared.figures) but none of their machinery."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.figures import FACT_INDEX, FACTS, fact_of, sum_youth_figures
from shared.models import EventRow
from shared.retractions import MATCHED_FIELDS, retracts
from shared.scopes import counted_cells

Cell = tuple[str, str]


def recompute_cells(events: Iterable[Any]) -> dict[Cell, dict[str, int]]:
    """COUNTED totals per (period, scope) of these events, retractions applied.

    ``events`` are records with the columns of the ``events`` table.
    """
    events = list(events)
    by_id = {e.event_id: e for e in events}
    retracted = {
        e.retracts
        for e in events
        if e.type == "retraction"
        and e.retracts in by_id
        and retracts(_fields(e), _fields(by_id[e.retracts]))
    }
    facts: dict[Cell, dict[str, list[int]]] = defaultdict(
        lambda: defaultdict(lambda: [0] * len(FACTS))
    )
    for e in events:
        if e.type == "retraction" or e.event_id in retracted:
            continue
        fact = FACT_INDEX[fact_of(e.type, e.outcome, e.exit_reason)]
        for cell in counted_cells(e.occurred_on, e.structure_id, e.region):
            facts[cell][e.youth_id][fact] += 1
    return {cell: sum_youth_figures(youths.values()) for cell, youths in facts.items()}


def _fields(event: Any) -> dict[str, Any]:
    return {f: getattr(event, f) for f in ("type", *MATCHED_FIELDS)}


def recompute_from_log(session: Session) -> dict[Cell, dict[str, int]]:
    """Every cell of the whole log (for tests and small databases)."""
    return recompute_cells(session.execute(select(EventRow)).scalars())
