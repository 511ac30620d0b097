"""The aggregate tasks without a broker: applying pending work and the sweep."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

import services.aggregate.tasks as tasks
from shared.config import load_settings
from shared.pipeline.live import pending_events, read_figures
from tests.support.events import event, record


@pytest.fixture
def notified(monkeypatch) -> list:
    calls: list = []
    monkeypatch.setattr(tasks, "notify_pending", lambda settings: calls.append(settings))
    return calls


def test_apply_pending_applies_everything_recorded(env, sessions, registry, notified) -> None:
    for i in range(10):
        with sessions.begin() as session:
            record(session, [event(f"e{i}", youth=f"Y{i % 3}")])
    assert tasks.apply_pending.apply().get() == 10
    with sessions() as session:
        assert pending_events(session) == 0
        assert read_figures(session, "2007", "national")["interviews"] == 10
    assert tasks.apply_pending.apply().get() == 0  # a duplicate notification is harmless
    assert notified == []


def test_apply_pending_hands_over_when_its_time_is_up(
    env, sessions, registry, notified, monkeypatch
) -> None:
    monkeypatch.setenv("BILAN_TASK_SECONDS", "0")
    with sessions.begin() as session:
        record(session, [event("e")])
    assert tasks.apply_pending.apply().get() == 0
    assert len(notified) == 1  # the work left is handed to a new task


def test_sweep_notifies_only_while_batches_wait(env, sessions, registry, notified) -> None:
    settings = replace(load_settings())
    assert tasks.sweep_once(sessions, settings) == (0, [])
    assert notified == []
    with sessions.begin() as session:
        record(session, [event("a"), event("b")])
    assert tasks.sweep_once(sessions, settings) == (2, [])
    assert len(notified) == 1


def test_the_publisher_publishes_at_its_pace_and_only_with_the_rule_on(
    env, sessions, registry, notified
) -> None:
    with sessions.begin() as session:
        record(session, [event("a"), event("b", youth="Y2")])
    assert tasks.apply_pending.apply().get() == 1
    assert tasks.publish_once(sessions, load_settings()) is None  # the rule is off
    settings = replace(load_settings(), public_min_count=5, publish_seconds=3600)
    first = tasks.publish_once(sessions, settings)
    assert first is not None and first.edition == 1
    with sessions.begin() as session:
        record(session, [event("c", youth="Y3")])
    tasks.apply_pending.apply()
    assert tasks.publish_once(sessions, settings) is None  # the next is due in an hour
    second = tasks.publish_once(sessions, replace(settings, publish_seconds=0))
    assert second is not None and second.edition == 2


def test_a_worker_busy_applying_runs_a_queued_consolidation_between_two_claims(
    env, sessions, registry, notified, monkeypatch
) -> None:
    """The job's message is never delivered here: the worker's apply task starts it itself,
    right after its first claim, instead of leaving it until the task ends."""
    from shared.consolidation.jobs import start_job
    from shared.storage.models.consolidation import Consolidation

    monkeypatch.setenv("BILAN_EVENTS_PER_CLAIM", "1")
    monkeypatch.setenv("BILAN_CLAIM_PAUSE_SECONDS", "0")
    for name in ("a", "b", "c"):
        with sessions.begin() as session:
            record(session, [event(name, youth=name.upper(), on="2007-03-01")])
    with sessions.begin() as session:
        job, _ = start_job(session, 2007)
    claims: list[int] = []
    real_apply_some = tasks.apply_some

    def apply_some() -> Any:
        with sessions() as session:
            claims.append(session.get_one(Consolidation, job.id).version or 0)
        return real_apply_some()

    monkeypatch.setattr(tasks, "apply_some", apply_some)
    assert tasks.apply_pending.apply().get() == 3
    # Queued before the first claim, frozen before the second: it saw one batch applied.
    assert claims == [0, 1, 1, 1]
    with sessions() as session:
        done = session.get_one(Consolidation, job.id)
        assert (done.status, done.version, done.progress) == ("succeeded", 1, 1.0)
    assert tasks.run_queued_consolidations() == []
