"""Property: random streams applied by two appliers interleaved at random points, on the
real PostgreSQL, give exactly the figures recomputed from the distinct events — the profile
cells too (SPEC §4.2: first receptions carry random profiles, some in another year).

Hypothesis draws the events (with retractions, some inert, and resends), how they
are split into batches, and a schedule: each step records a batch, or applies two
claims at once, the first stopped at a random checkpoint of the protocol while the
second runs as far as it can (shared/pipeline/checkpoints.py, tests/integration/interleaving.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from shared.pipeline.counters import apply_batches
from shared.pipeline.ingestion import Rejected
from shared.pipeline.live import pending_events
from shared.pipeline.profile_recompute import recompute_profile_cells
from shared.pipeline.profile_tables import read_profile_cells
from shared.pipeline.recompute import recompute_cells
from shared.storage.models.log import Batch
from tests.integration.interleaving import Transaction
from tests.support.events import STRUCTURES, as_records, event, live_cells, nonzero, record

pytestmark = pytest.mark.postgres

POINTS = ("apply:started", "apply:youths-locked", "apply:locked", "apply:looked-up", "apply:done")
PROFILES = [None, {}, {"sex": "F", "birth_year": 1989}, {"sex": "M", "education_level": "V"}]
KINDS = [
    ("first_reception", {}), ("contact", {"channel": "phone"}), ("interview", {}),
    ("workshop", {}), ("outcome", {"outcome": "employment"}),
    ("outcome", {"outcome": "work_study"}), ("civis_entry", {}),
    ("civis_exit", {"exit_reason": "other"}),
]  # fmt: skip
DAYS = ["2006-05-05", "2007-01-10", "2007-02-11", "2007-12-31", "2008-01-01"]


def reset(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        session.execute(
            text(
                "TRUNCATE events, batches, youth_state, retractions, figure_counts, "
                "youth_profiles, profile_counts"
            )
        )


def applying(batch_ids: list[str]) -> Any:
    def work(session: Session) -> Any:
        mine = session.scalars(
            select(Batch.batch_id)
            .where(Batch.batch_id.in_(batch_ids), Batch.applied_at.is_(None))
            .with_for_update(skip_locked=True)
        ).all()
        return apply_batches(session, list(mine)) if mine else None

    return work


@st.composite
def streams(draw: st.DrawFn) -> tuple[list[list[dict[str, Any]]], list[tuple[int, int, str]]]:
    n = draw(st.integers(1, 14), label="events")
    events = []
    for i in range(n):
        kind, extra = draw(st.sampled_from(KINDS))
        drawn = event(
            f"e{i}",
            kind,
            youth=draw(st.sampled_from(["A", "B"])),
            structure=draw(st.sampled_from(sorted(STRUCTURES))),
            on=draw(st.sampled_from(DAYS)),
            **extra,
        )
        profile = draw(st.sampled_from(PROFILES)) if kind == "first_reception" else None
        if profile is not None:
            drawn["youth"] = profile  # the profile cells move with it (SPEC §4.2)
        events.append(drawn)
    targets = draw(st.lists(st.sampled_from(events), max_size=5, unique_by=lambda e: e["event_id"]))
    for i, target in enumerate(targets):
        inert = i % 2 == 1 and draw(st.booleans(), label="inert")
        events.append(
            event(f"r{i}", "retraction", retracts=target["event_id"],
                  youth="Z" if inert else target["youth_id"],
                  structure=target["structure_id"], on=target["occurred_on"])
        )  # fmt: skip
    arrivals = draw(st.permutations(events))
    arrivals += draw(st.lists(st.sampled_from(events), max_size=3))  # resends
    batches, rest = [], list(arrivals)
    while rest:
        size = draw(st.integers(1, 4))
        batches.append(rest[:size])
        rest = rest[size:]
    # Each pair (i, j, point): once batch j is recorded, apply claims {i} and {j} together,
    # the first stopped at ``point``.
    schedule = draw(
        st.lists(
            st.tuples(
                st.integers(0, len(batches) - 1),
                st.integers(0, len(batches) - 1),
                st.sampled_from(POINTS),
            ),
            max_size=len(batches),
        )
    )
    return batches, [(min(i, j), max(i, j), p) for i, j, p in schedule]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(stream=streams())
def test_two_interleaved_appliers_give_the_recomputed_figures(pg, stream) -> None:
    batches, schedule = stream
    reset(pg)
    ids: list[str] = []
    recorded: dict[str, dict[str, Any]] = {}
    for n, batch in enumerate(batches):
        try:
            with pg.begin() as session:
                ids.append(record(session, batch).batch_id)
        except Rejected:
            # A retraction that mismatches a target already recorded: nothing recorded.
            ids.append("")
            continue
        recorded.update((e["event_id"], e) for e in batch)
        for first, second, point in schedule:
            if second == n and ids[first]:
                stopped = Transaction(pg, applying([ids[first]]), stop_at=point).start()
                other = Transaction(pg, applying([ids[second]])).start()
                stopped.finish()
                other.finish()
    for batch_id in filter(None, ids):
        Transaction(pg, applying([batch_id])).start().finish()

    with pg() as session:
        assert pending_events(session) == 0
    expected = nonzero(recompute_cells(as_records(recorded.values())))
    assert live_cells(pg) == expected
    with pg() as session:
        profiles = nonzero(read_profile_cells(session))
    assert profiles == nonzero(recompute_profile_cells(as_records(recorded.values())))
