"""The workers' retention without a broker: the sweep asks for the purge once an hour while
BILAN_RETENTION_YEARS is set, and the task purges the eligible years due, once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

import services.aggregate.retention_tasks as retention_tasks
from shared.audit.actions import reads_since
from shared.audit.reads import EXACT, TOKEN, Read, ReadNotes
from shared.config import load_settings
from shared.consolidation.jobs import consolidate
from shared.retention.eligibility import PURGED, year_states
from tests.support.retention import load


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    calls: list[Any] = []
    monkeypatch.setattr(retention_tasks, "notify_retention", lambda s: calls.append(s) or True)
    return calls


def test_the_sweep_asks_only_with_the_setting_and_once_an_hour(
    env: dict[str, str],
    sessions: sessionmaker[Session],
    asked: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    notes = ReadNotes(sessions)
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=366)
    notes.note(Read(1, TOKEN, "admin", EXACT, "national", 2007), old)
    clock = retention_tasks.HourlyClock()
    assert not retention_tasks.retention_sweep(sessions, load_settings(), clock)
    assert asked == []  # the setting off: the audit expired, no purge asked for
    monkeypatch.setenv("BILAN_RETENTION_YEARS", "2")
    clock = retention_tasks.HourlyClock()  # a worker started with the setting
    assert retention_tasks.retention_sweep(sessions, load_settings(), clock)
    assert not retention_tasks.retention_sweep(sessions, load_settings(), clock)
    assert len(asked) == 1
    with sessions() as session:  # the audit's rows past BILAN_AUDIT_RETENTION_DAYS are gone
        assert reads_since(session, old - dt.timedelta(days=1)) == []
    assert clock.due(dt.date.today() + dt.timedelta(days=1), 0.0)  # the next day, again


def test_the_task_purges_the_eligible_years_due(
    env: dict[str, str],
    sessions: sessionmaker[Session],
    registry: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    load(sessions)
    engine = sessions.kw["bind"]
    for year in (2005, 2006):
        consolidate(engine, year)
    assert retention_tasks.purge_expired_years.apply().get() == 0  # the setting is off
    monkeypatch.setenv("BILAN_RETENTION_YEARS", "3")
    assert retention_tasks.purge_expired_years.apply().get() > 0
    assert retention_tasks.purge_expired_years.apply().get() == 0  # a duplicate is harmless
    with sessions() as session:
        # 2007 is due too, but has no report: it waits.
        assert {s.year: s.state for s in year_states(session)} == {
            2005: PURGED,
            2006: PURGED,
            2007: "live",
        }
