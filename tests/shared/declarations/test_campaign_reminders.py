"""The reminders of a campaign: exactly the structures due, at most once per reminder day, the
latest day only; and their French text."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from shared.access.tokens import Caller
from shared.declarations.campaign_window import save_window, window_of
from shared.declarations.reminders import (
    latest_reached,
    reminders_of,
    without_address,
    write_due_reminders,
    write_reminders,
)
from shared.declarations.workflow import REJECTED, VALIDATED, decide, submit
from shared.mail.outbox import MailConfig
from shared.registry import StructureFields, upsert_structure
from shared.storage.models.mail import Mail
from tests.support.declarations import declaration_fields

ADMIN = Caller(1, "admin", frozenset(), None)
CONFIG = MailConfig(sender="noreply@bilan.example.org", links_base="https://bilan.example.org")
DAYS = (14, 3)
# The 2025 campaign, as ICARE's: April to June 2026.
OPENS, CLOSES = dt.date(2026, 4, 1), dt.date(2026, 6, 30)
J14, J3 = dt.date(2026, 6, 16), dt.date(2026, 6, 27)


def _structure(session: Session, sid: str, email: str | None, **dates: Any) -> None:
    fields = StructureFields(
        name=f"Mission locale {sid}", kind="mission_locale", region="11", email=email, **dates
    )
    upsert_structure(session, sid, fields)


@pytest.fixture
def campaign(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """Structures in every state of the 2025 campaign, and its window."""
    with sessions.begin() as session:
        for sid in ("NONE", "REJECTED", "SUBMITTED", "VALIDATED", "RESENT"):
            _structure(session, sid, f"contact@{sid.lower()}.example.org")
        _structure(session, "NOADDRESS", None)
        _structure(session, "CLOSED", "c@closed.example.org", closed_on=dt.date(2024, 12, 31))
        _structure(session, "OPENED", "o@opened.example.org", opened_on=dt.date(2026, 1, 1))
        for sid in ("REJECTED", "SUBMITTED", "VALIDATED", "RESENT"):
            submit(session, ADMIN, 2025, sid, declaration_fields())
        decide(session, ADMIN, 2025, "REJECTED", REJECTED, "Financement FSE absent")
        decide(session, ADMIN, 2025, "VALIDATED", VALIDATED)
        decide(session, ADMIN, 2025, "RESENT", REJECTED, "Effectif manquant")
        submit(session, ADMIN, 2025, "RESENT", declaration_fields())
        save_window(session, ADMIN, 2025, OPENS, CLOSES)
    return sessions


def run(sessions: sessionmaker[Session], today: dt.date) -> list[str]:
    with sessions.begin() as session:
        return write_reminders(session, CONFIG, 2025, DAYS, today).written


def reminded(sessions: sessionmaker[Session]) -> list[tuple[str, dt.date | None]]:
    with sessions() as session:
        return [(m.structure_id, m.reminder_day) for m in reminders_of(session, 2025)]


def test_exactly_the_structures_due_once_per_reminder_day(campaign: Any) -> None:
    sessions = campaign
    assert run(sessions, OPENS) == []
    assert run(sessions, J14 - dt.timedelta(days=1)) == []
    # Active in 2025, with an address, without a submitted or validated declaration.
    assert run(sessions, J14) == ["NONE", "REJECTED"]
    assert run(sessions, J14) == []  # a second run of the day
    assert run(sessions, J14 + dt.timedelta(days=5)) == []  # the 14-day reminder was sent
    assert run(sessions, J3) == ["NONE", "REJECTED"]
    assert run(sessions, CLOSES) == []
    assert run(sessions, CLOSES + dt.timedelta(days=1)) == []  # closed
    assert reminded(sessions) == [
        ("NONE", J14), ("REJECTED", J14), ("NONE", J3), ("REJECTED", J3),
    ]  # fmt: skip
    with sessions() as session:
        assert [s.structure_id for s in without_address(session, 2025)] == ["NOADDRESS"]


def test_a_run_that_finds_several_days_reached_sends_the_latest_only(campaign: Any) -> None:
    sessions = campaign
    assert run(sessions, J3 + dt.timedelta(days=1)) == ["NONE", "REJECTED"]
    assert reminded(sessions) == [("NONE", J3), ("REJECTED", J3)]
    # The 14-day reminder, passed over, is never due again.
    for day in (J3 + dt.timedelta(days=2), CLOSES):
        assert run(sessions, day) == []
    assert len(reminded(sessions)) == 2


def test_a_structure_that_declared_meanwhile_is_not_reminded(campaign: Any) -> None:
    sessions = campaign
    with sessions.begin() as session:
        submit(session, ADMIN, 2025, "NONE", declaration_fields())
    assert run(sessions, J14) == ["REJECTED"]


def test_a_window_moved_later_brings_new_reminder_days(campaign: Any) -> None:
    sessions = campaign
    assert run(sessions, J3) == ["NONE", "REJECTED"]
    with sessions.begin() as session:
        save_window(session, ADMIN, 2025, OPENS, dt.date(2026, 7, 31))
    assert run(sessions, dt.date(2026, 7, 16)) == []  # before the new 14-day one
    assert run(sessions, dt.date(2026, 7, 17)) == ["NONE", "REJECTED"]


def test_no_window_no_reminder(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        _structure(session, "NONE", "contact@none.example.org")
        found = write_reminders(session, CONFIG, 2025, DAYS, J3)
    assert (found.window.phase, found.reached, found.written) == ("unset", None, [])


def test_the_daily_run_covers_every_open_window(campaign: Any) -> None:
    sessions = campaign
    with sessions.begin() as session:
        save_window(session, ADMIN, 2024, dt.date(2024, 1, 1), dt.date(2026, 6, 17))
        found = write_due_reminders(session, CONFIG, DAYS, J14)
    assert [(r.window.year, r.written) for r in found] == [
        (2024, ["CLOSED", "NONE", "REJECTED", "RESENT", "SUBMITTED", "VALIDATED"]),
        (2025, ["NONE", "REJECTED"]),
    ]


def test_latest_reached_needs_the_window_open() -> None:
    from shared.declarations.campaign_window import Window

    window = Window(2025, OPENS, CLOSES, J3)
    assert latest_reached(window, DAYS) is not None and latest_reached(window, DAYS).day == J3
    assert latest_reached(Window(2025, OPENS, CLOSES, CLOSES + dt.timedelta(1)), DAYS) is None
    assert latest_reached(Window(2025, J3, CLOSES, J3), DAYS).days_before == 3  # type: ignore[union-attr]
    # A window shorter than 14 days: its first day is already past the 14-day reminder day.
    assert latest_reached(Window(2025, J3, CLOSES, J3 - dt.timedelta(1)), DAYS) is None


def test_the_reminder_says_what_is_expected_by_when_and_where(campaign: Any) -> None:
    sessions = campaign
    run(sessions, J14)
    with sessions() as session:
        mails = {m.structure_id: m for m in session.scalars(select(Mail))}
    none, rejected = mails["NONE"], mails["REJECTED"]
    assert none.recipient == "contact@none.example.org"
    assert none.subject == "Rappel : déclaration ICARE 2025 à transmettre avant le 30 juin 2026"
    text = " ".join(none.body.split())  # the words, whatever the wrapping
    assert "se termine le mardi 30 juin 2026 inclus, dans 14 jours." in text
    assert "La déclaration de la Mission locale NONE (NONE) n'a pas encore été transmise." in text
    assert "\nhttps://bilan.example.org/declarations/2025/NONE/saisie\n" in none.body
    assert "le nombre de professionnels de la structure au 31 décembre 2025" in text
    assert "validée par la DRTEFP Île-de-France." in text
    assert all(len(line) <= 72 for line in none.body.splitlines())
    assert not any(line.startswith((":", ";", "»")) for line in none.body.splitlines())
    rejection = " ".join(rejected.body.split())
    assert "pour le motif suivant : « Financement FSE absent »" in rejection
    assert "Elle doit être corrigée et transmise à nouveau." in rejection
    # No figure, not even the structure's own: the only numbers are the dates and days left.
    assert set(re.findall(r"[0-9]+", none.body)) == {"2025", "2026", "30", "31", "14"}


def test_the_window_of_a_year_without_one_is_open(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        window = window_of(session, 2025, J3)
    assert (window.phase, window.open, window.days_left) == ("unset", True, None)


def test_a_window_moved_earlier_does_not_remind_again_the_same_day(campaign: Any) -> None:
    """Reminded on 27 June (3 days before 30 June); the window now closes on 28 June, whose
    3-day reminder day, 25 June, is before that reminder: nothing more to send."""
    sessions = campaign
    assert run(sessions, J3) == ["NONE", "REJECTED"]
    with sessions.begin() as session:
        save_window(session, ADMIN, 2025, OPENS, dt.date(2026, 6, 28))
    assert run(sessions, J3) == []
    assert run(sessions, dt.date(2026, 6, 28)) == []
