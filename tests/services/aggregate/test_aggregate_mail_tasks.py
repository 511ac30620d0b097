"""The workers' mail without a broker: the task sends what is due, the sweep writes the day's
reminders and wakes a sender while a mail is due."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

import services.aggregate.mail_tasks as mail_tasks
from shared.access.tokens import Caller
from shared.config import load_settings
from shared.declarations.campaign_window import save_window
from shared.registry import set_contact
from shared.times import paris_today
from tests.support.smtp import smtp_server

ADMIN = Caller(1, "admin", frozenset(), None)


@pytest.fixture
def woken(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    calls: list[Any] = []
    monkeypatch.setattr(mail_tasks, "notify_mails", lambda settings: calls.append(settings))
    return calls


def test_the_sweep_writes_the_reminders_due_and_the_task_sends_them(
    env: dict[str, str],
    sessions: sessionmaker[Session],
    registry: Any,
    woken: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    today = paris_today()
    with sessions.begin() as session:
        set_contact(session, "ML-11-001", "direction@ml-paris.example.org")
        save_window(session, ADMIN, today.year - 1, today, today + dt.timedelta(days=14))
    clock = mail_tasks.HourlyClock()
    # Mail off: the sweep does nothing.
    assert mail_tasks.mail_sweep(sessions, load_settings(), clock) == (0, False)
    with smtp_server() as server:
        monkeypatch.setenv("BILAN_SMTP_URL", server.url)
        settings = load_settings()
        assert mail_tasks.mail_sweep(sessions, settings, clock) == (1, True)
        assert len(woken) == 1
        # The same day, within the hour: the reminders are not looked for again.
        assert mail_tasks.mail_sweep(sessions, settings, clock) == (0, True)
        assert mail_tasks.send_mails.apply().get() == 1
        assert mail_tasks.send_mails.apply().get() == 0  # a duplicate wake-up is harmless
        assert mail_tasks.mail_sweep(sessions, settings, clock) == (0, False)
        assert len(woken) == 2
        (mail,) = server.inbox.all()
    assert mail.recipients == ("direction@ml-paris.example.org",)


def test_the_reminders_are_looked_for_each_day_and_each_hour() -> None:
    clock = mail_tasks.HourlyClock()
    day = dt.date(2026, 6, 16)
    assert clock.due(day, 0.0)
    assert not clock.due(day, 3599.0)
    assert clock.due(day + dt.timedelta(days=1), 3599.5)  # a new day in Paris
    assert not clock.due(day + dt.timedelta(days=1), 7000.0)
    assert clock.due(day + dt.timedelta(days=1), 3599.5 + mail_tasks.REMINDER_CHECK_SECONDS)
