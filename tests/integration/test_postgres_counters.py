"""On the real PostgreSQL: concurrent workers and concurrent ingest stay exact."""

from __future__ import annotations

import random
import threading

import pytest
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError

from shared.figures import with_derived
from shared.pipeline.counters import apply_batches, claim_pending_batches
from shared.pipeline.ingestion import Rejected
from shared.pipeline.live import pending_events, read_to_date
from shared.pipeline.recompute import recompute_from_log
from shared.pipeline.verify import verify
from shared.storage.db import engine_for
from shared.storage.models.counters import FigureCounts
from tests.support.events import STRUCTURES, event, live_cells, nonzero, record

pytestmark = pytest.mark.postgres

KINDS = [
    ("first_reception", {}), ("interview", {}), ("interview", {}), ("workshop", {}),
    ("contact", {"channel": "visit"}), ("outcome", {"outcome": "employment"}),
    ("outcome", {"outcome": "training"}), ("civis_entry", {}),
    ("civis_exit", {"exit_reason": "training"}),
]  # fmt: skip


def random_events(rng: random.Random, n: int) -> list[dict]:
    events = []
    for i in range(n):
        kind, extra = rng.choice(KINDS)
        on = f"2007-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        structure = rng.choice(sorted(STRUCTURES))
        events.append(
            event(f"e{i}", kind, youth=f"Y{rng.randrange(60)}", structure=structure, on=on, **extra)
        )
    for i, target in enumerate(rng.sample(events, n // 20)):
        events.append(
            event(f"r{i}", "retraction", retracts=target["event_id"], youth=target["youth_id"],
                  structure=target["structure_id"], on=target["occurred_on"])
        )  # fmt: skip
    return events


def work(sessions, errors: list) -> None:
    """A worker's loop: claim, apply, commit; retry what a deadlock rolled back."""
    while True:
        try:
            with sessions.begin() as session:
                ids = claim_pending_batches(session, 50)
                if not ids:
                    return
                apply_batches(session, ids)
        except DBAPIError as exc:  # deadlock with another worker: the claim was rolled back
            errors.append(exc)


def test_concurrent_workers_give_the_recomputed_figures(pg) -> None:
    rng = random.Random(7)
    events = random_events(rng, 3000)
    arrivals = events + rng.sample(events, 200)
    rng.shuffle(arrivals)
    for start in range(0, len(arrivals), 25):
        with pg.begin() as session:
            record(session, arrivals[start : start + 25])

    retried: list = []
    threads = [threading.Thread(target=work, args=(pg, retried)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    with pg() as session:
        assert pending_events(session) == 0
        expected = nonzero(recompute_from_log(session))
    assert live_cells(pg) == expected
    assert expected[("2007", "national")]["interviews"] > 0


def test_concurrent_posts_of_one_batch_record_it_once(pg) -> None:
    batch = [event(f"c{i}", youth=f"Y{i}") for i in range(500)]
    results: list = []

    def post() -> None:
        try:
            with pg.begin() as session:
                results.append(record(session, batch))
        except Rejected as exc:  # pragma: no cover - would fail the assertion below
            results.append(exc)

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.accepted for r in results) == [0, 0, 0, 500]
    assert all(r.accepted + r.duplicates == 500 for r in results)


def test_verify_on_postgresql_covers_structure_months_and_the_year_to_date(
    pg, postgres_url: str
) -> None:
    events = random_events(random.Random(11), 600)
    for start in range(0, len(events), 50):
        with pg.begin() as session:
            record(session, events[start : start + 50])
    with pg.begin() as session:
        apply_batches(session, claim_pending_batches(session, 10_000))
    result = verify(engine_for(postgres_url), [2007])
    assert result.differences == []
    cells = live_cells(pg)
    # Every structure's twelve months and twelve increments, besides the year cells.
    assert {p for p, s in cells if s == "structure:PAIO-24-001"} >= {
        *(f"2007-{m:02d}" for m in range(1, 13)),
        *(f"2007+{m:02d}" for m in range(1, 13)),
    }
    with pg() as session:
        through = read_to_date(session, [(2007, 12)], ["structure:PAIO-24-001"])
    assert through[("2007-01/12", "structure:PAIO-24-001")] == with_derived(
        cells[("2007", "structure:PAIO-24-001")]
    )
    # A wrong increment is found, with its cell.
    with pg.begin() as session:
        session.execute(
            update(FigureCounts)
            .where(FigureCounts.period == "2007+06", FigureCounts.scope == "national")
            .values(youths_training=FigureCounts.youths_training + 1)
        )
    [difference] = verify(engine_for(postgres_url), [2007]).differences
    assert (difference.period, difference.scope, difference.figure) == (
        "2007+06",
        "national",
        "youths_training",
    )


def test_profiles_are_saved_in_one_statement_nulls_included(pg) -> None:
    """save_profiles writes every column of each youth, a profile lost to a retraction (all
    NULL) as well as a full one, and leaves the other youths alone."""
    import datetime as dt

    from sqlalchemy import select

    from shared.pipeline.profile_tables import lock_youths, save_profiles
    from shared.profiles import NO_PROFILE, Profile
    from shared.storage.models.profiles import YouthProfileRow

    full = Profile("F1", dt.date(2007, 2, 1), "F", 1989, "V")
    with pg.begin() as session:
        lock_youths(session, ["A", "B", "C"])
        save_profiles(session, {"A": full, "B": full})
    with pg.begin() as session:
        assert lock_youths(session, ["A", "B"]) == {"A": full, "B": full}
        save_profiles(session, {"B": NO_PROFILE})
    with pg() as session:
        rows = session.execute(select(YouthProfileRow.youth_id, YouthProfileRow.source_id))
        assert {youth_id: source_id for youth_id, source_id in rows} == {
            "A": "F1",
            "B": None,
            "C": None,
        }
        assert lock_youths(session, ["B"]) == {"B": NO_PROFILE}
