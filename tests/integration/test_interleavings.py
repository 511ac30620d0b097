"""Every dangerous order of {record E, record R, apply batch(E), apply batch(R)}, driven
step by step on the real PostgreSQL (R retracts E; SPEC §3.2, §7.2).

Each test stops one transaction at a named checkpoint of the protocol
(shared/pipeline/checkpoints.py), lets the other one run as far as it can (to its commit, or
until it waits for a lock), then lets both finish, and checks that E counts exactly
when a matching retraction aims at it, at every level.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from shared.pipeline.counters import apply_batches
from shared.pipeline.live import pending_events, read_figures
from shared.pipeline.recompute import recompute_from_log
from shared.storage.models.log import Batch
from tests.integration.interleaving import Transaction
from tests.support.events import event, live_cells, nonzero, record

pytestmark = pytest.mark.postgres

APPLY_POINTS = ("apply:started", "apply:looked-up", "apply:done")
E = event("E", youth="Y1")
E_OTHER_DAY = event("E2", youth="Y1", on="2007-06-01")  # keeps Y1 in contact in June
R = event("R", "retraction", retracts="E", youth="Y1")
R_BIS = event("R-bis", "retraction", retracts="E", youth="Y1")
# Aims at E but carries another youth: inert, it never retracts E (SPEC §3.2).
R_MISMATCH = event("R-x", "retraction", retracts="E", youth="Y2")


def recorded(pg: sessionmaker[Session], *events: dict[str, Any]) -> str:
    with pg.begin() as session:
        return record(session, list(events)).batch_id


def applying(*batch_ids: str) -> Callable[[Session], Any]:
    """A worker's claim of exactly these batches, applied in its transaction."""

    def work(session: Session) -> Any:
        session.scalars(
            select(Batch.batch_id).where(Batch.batch_id.in_(batch_ids)).with_for_update()
        ).all()
        return apply_batches(session, list(batch_ids))

    return work


def recording(*events: dict[str, Any]) -> Callable[[Session], Any]:
    return lambda session: record(session, list(events))


def apply_rest(pg: sessionmaker[Session]) -> None:
    with pg() as session:
        pending = list(session.scalars(select(Batch.batch_id).where(Batch.applied_at.is_(None))))
    for batch_id in pending:
        Transaction(pg, applying(batch_id)).start().finish()


def interviews(pg: sessionmaker[Session], scope: str = "national", period: str = "2007") -> int:
    with pg() as session:
        return int(read_figures(session, period, scope)["interviews"])


def assert_exact(pg: sessionmaker[Session], *, e_counts: bool) -> None:
    """E counts or not, and every cell equals the recomputation from the log."""
    with pg() as session:
        assert pending_events(session) == 0
        expected = nonzero(recompute_from_log(session))
    # E is Y1's only interview in March; E2 (if recorded) is in June.
    assert interviews(pg, period="2007-03") == (1 if e_counts else 0)
    assert live_cells(pg) == expected


@pytest.mark.parametrize("point", APPLY_POINTS)
def test_retraction_recorded_and_applied_while_its_target_is_applied(pg, point) -> None:
    """apply(E) stopped at each point; meanwhile R is recorded and applied."""
    target = recorded(pg, E, E_OTHER_DAY)
    apply_e = Transaction(pg, applying(target), stop_at=point, name="apply(E)").start()
    assert apply_e.stopped
    retraction = recorded(pg, R)
    apply_r = Transaction(pg, applying(retraction), name="apply(R)").start()
    apply_e.finish()
    apply_r.finish()
    assert_exact(pg, e_counts=False)


@pytest.mark.parametrize("point", APPLY_POINTS)
def test_target_applied_while_its_retraction_is_applied(pg, point) -> None:
    """E and R recorded; apply(R) stopped at each point while apply(E) runs."""
    target = recorded(pg, E, E_OTHER_DAY)
    retraction = recorded(pg, R)
    apply_r = Transaction(pg, applying(retraction), stop_at=point, name="apply(R)").start()
    assert apply_r.stopped
    apply_e = Transaction(pg, applying(target), name="apply(E)").start()
    apply_r.finish()
    apply_e.finish()
    assert_exact(pg, e_counts=False)


@pytest.mark.parametrize("point", APPLY_POINTS)
def test_target_applied_while_its_early_retraction_is_applied(pg, point) -> None:
    """R recorded before E: apply(R) stopped at each point, E recorded and applied meanwhile."""
    retraction = recorded(pg, R)
    apply_r = Transaction(pg, applying(retraction), stop_at=point, name="apply(R)").start()
    target = recorded(pg, E, E_OTHER_DAY)
    apply_e = Transaction(pg, applying(target), name="apply(E)").start()
    apply_r.finish()
    apply_e.finish()
    assert_exact(pg, e_counts=False)


@pytest.mark.parametrize("point", APPLY_POINTS)
def test_two_retractions_of_one_target_applied_at_once(pg, point) -> None:
    target = recorded(pg, E, E_OTHER_DAY)
    Transaction(pg, applying(target)).start().finish()
    first, second = recorded(pg, R), recorded(pg, R_BIS)
    apply_1 = Transaction(pg, applying(first), stop_at=point, name="apply(R)").start()
    apply_2 = Transaction(pg, applying(second), name="apply(R-bis)").start()
    apply_1.finish()
    apply_2.finish()
    assert_exact(pg, e_counts=False)
    assert interviews(pg) == 1  # E2 still counts: E was un-counted once, not twice


def test_target_and_retraction_in_one_batch(pg) -> None:
    Transaction(pg, applying(recorded(pg, E, E_OTHER_DAY, R))).start().finish()
    assert_exact(pg, e_counts=False)


@pytest.mark.parametrize("order", ["target first", "retraction first"])
def test_target_and_retraction_in_one_claim(pg, order) -> None:
    batches = [recorded(pg, E, E_OTHER_DAY), recorded(pg, R)]
    if order == "retraction first":
        batches.reverse()
    Transaction(pg, applying(*batches)).start().finish()
    assert_exact(pg, e_counts=False)


def test_retraction_long_before_its_target(pg) -> None:
    Transaction(pg, applying(recorded(pg, R))).start().finish()
    other = event("other", youth="Y3", on="2007-09-01")
    Transaction(pg, applying(recorded(pg, other))).start().finish()
    Transaction(pg, applying(recorded(pg, E, E_OTHER_DAY))).start().finish()
    assert_exact(pg, e_counts=False)


@pytest.mark.parametrize("point", APPLY_POINTS)
def test_resends_while_the_target_is_applied(pg, point) -> None:
    """A client resends E's batch and R's batch while apply(E) is stopped."""
    target = recorded(pg, E, E_OTHER_DAY)
    apply_e = Transaction(pg, applying(target), stop_at=point, name="apply(E)").start()
    with pg.begin() as session:
        resent = record(session, [E, E_OTHER_DAY])
    assert (resent.accepted, resent.duplicates) == (0, 2)
    retraction = recorded(pg, R)
    apply_r = Transaction(pg, applying(retraction), name="apply(R)").start()
    with pg.begin() as session:
        assert record(session, [R]).duplicates == 1
    apply_e.finish()
    apply_r.finish()
    apply_rest(pg)
    assert_exact(pg, e_counts=False)


@pytest.mark.parametrize("first", ["target", "retraction"])
def test_target_and_mismatching_retraction_posted_at_once(pg, first) -> None:
    """Two requests: E, and a retraction of E carrying another youth, recorded concurrently.

    Whichever commits first, the retraction is inert and E counts (SPEC §3.2).
    """
    one, other = (recording(E), recording(R_MISMATCH))
    if first == "retraction":
        one, other = other, one
    held = Transaction(pg, one, stop_at="ingest:recorded", name="first request").start()
    assert held.stopped
    Transaction(pg, other, name="second request").start().finish()
    held.finish()
    apply_rest(pg)
    assert_exact(pg, e_counts=True)


@pytest.mark.parametrize("point", APPLY_POINTS)
def test_mismatching_retraction_applied_while_its_target_is_applied(pg, point) -> None:
    retraction = recorded(pg, R_MISMATCH)
    target = recorded(pg, E)
    apply_e = Transaction(pg, applying(target), stop_at=point, name="apply(E)").start()
    apply_r = Transaction(pg, applying(retraction), name="apply(R-x)").start()
    apply_e.finish()
    apply_r.finish()
    assert_exact(pg, e_counts=True)
