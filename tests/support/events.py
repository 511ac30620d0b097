"""A small registry and events as clients post them, recorded and applied as in production."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Mapping
from types import SimpleNamespace
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from shared.events import decode_elements
from shared.figures import COUNTED
from shared.pipeline.counters import apply_batches, claim_pending_batches
from shared.pipeline.ingestion import Recorded, record_events
from shared.registry import StructureFields
from shared.storage.models.counters import FigureCounts

# A small registry: two regions, three structures.
STRUCTURES = {
    "ML-11-001": StructureFields(
        name="Mission locale de Paris", kind="mission_locale", region="11"
    ),
    "ML-11-002": StructureFields(
        name="Mission locale de Créteil", kind="mission_locale", region="11"
    ),
    "PAIO-24-001": StructureFields(name="PAIO de Chartres", kind="paio", region="24"),
}


def event(
    event_id: str,
    type_: str = "interview",
    *,
    on: str = "2007-03-15",
    structure: str = "ML-11-001",
    youth: str = "Y1",
    **extra: Any,
) -> dict[str, Any]:
    """One event as a client would post it."""
    return {
        "event_id": event_id,
        "type": type_,
        "occurred_on": on,
        "structure_id": structure,
        "youth_id": youth,
        **extra,
    }


def record(
    session: Session, events: list[dict[str, Any]], today: dt.date | None = None
) -> Recorded:
    """Record ``events`` as ingest does (validation included)."""
    items = decode_elements((msgspec.json.encode(e) for e in events), today)
    return record_events(session, items, None)


def apply_all(sessions: sessionmaker[Session]) -> int:
    """Apply every pending batch, as the workers would; the number applied."""
    applied = 0
    while True:
        with sessions.begin() as session:
            ids = claim_pending_batches(session, 50)
            if not ids:
                return applied
            applied += apply_batches(session, ids).batches


# Every (type, outcome, exit reason) an event can have.
TYPES = [
    ("first_reception", None, None),
    ("contact", None, None),
    ("interview", None, None),
    ("workshop", None, None),
    *(
        ("outcome", o, None)
        for o in ("employment", "subsidized_employment", "work_study", "training")
    ),
    ("civis_entry", None, None),
    *(
        ("civis_exit", None, r)
        for r in ("durable_employment", "non_durable_employment", "training", "other")
    ),
]


def random_events(rnd: random.Random, n: int) -> list[dict[str, Any]]:
    """``n`` events of every type at the three structures, around the 2007 year's edges."""
    structures = ["ML-11-001", "ML-11-002", "PAIO-24-001"]
    events = []
    for i in range(n):
        type_, outcome, reason = rnd.choice(TYPES)
        extra = {}
        if outcome:
            extra["outcome"] = outcome
        if reason:
            extra["exit_reason"] = reason
        events.append(
            event(
                f"e{i}",
                type_,
                youth=f"Y{rnd.randrange(12)}",
                structure=rnd.choice(structures),
                on=rnd.choice(
                    ["2006-12-31", "2007-01-01", "2007-06-15", "2007-12-31", "2008-01-01"]
                ),
                **extra,
            )
        )
    return events


def with_late_targets(rnd: random.Random, n: int = 300) -> list[list[dict[str, Any]]]:
    """``n`` random events and the retractions of 30 of them, in two requests to record in
    turn: 10 of those targets come in the second, after their retraction (SPEC §3.2)."""
    events = random_events(rnd, n)
    retracted = rnd.sample(events, 30)
    retractions = [
        {
            **{k: t[k] for k in ("occurred_on", "structure_id", "youth_id")},
            "event_id": f"r-{t['event_id']}",
            "type": "retraction",
            "retracts": t["event_id"],
        }
        for t in retracted
    ]
    late = {t["event_id"] for t in retracted[:10]}
    return [
        [e for e in events if e["event_id"] not in late] + retractions,
        [e for e in events if e["event_id"] in late],
    ]


def as_records(events: Iterable[dict[str, Any]]) -> list[SimpleNamespace]:
    """Events as posted, as the rows the recomputation reads (shared.pipeline.recompute), with the
    region of the small registry."""
    return [
        SimpleNamespace(
            event_id=e["event_id"],
            type=e["type"],
            structure_id=e["structure_id"],
            youth_id=e["youth_id"],
            retracts=e.get("retracts"),
            outcome=e.get("outcome"),
            exit_reason=e.get("exit_reason"),
            occurred_on=dt.date.fromisoformat(e["occurred_on"]),
            region=STRUCTURES[e["structure_id"]].region,
            youth_sex=e.get("youth", {}).get("sex"),
            youth_birth_year=e.get("youth", {}).get("birth_year"),
            youth_education_level=e.get("youth", {}).get("education_level"),
        )
        for e in events
    ]


def live_cells(sessions: sessionmaker[Session]) -> dict[tuple[str, str], dict[str, int]]:
    """Every live counter cell that is not all zeros."""
    with sessions() as session:
        cells = {
            (row.period, row.scope): {key: getattr(row, key) for key in COUNTED}
            for row in session.scalars(select(FigureCounts))
        }
    return nonzero(cells)


def nonzero(cells: Mapping[Any, Mapping[str, int]]) -> dict[Any, Mapping[str, int]]:
    return {cell: values for cell, values in cells.items() if any(values.values())}
