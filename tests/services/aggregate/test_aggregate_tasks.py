"""The aggregate tasks without a broker: applying pending work and the sweep."""

from __future__ import annotations

from dataclasses import replace

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
