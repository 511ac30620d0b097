"""`bilan campaign remind Y` (SPEC §6): the reminders due now, sent once however many runs;
each refusal one line."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session, sessionmaker

from cli.main import main
from shared.access.tokens import Caller
from shared.declarations.campaign_window import save_window
from shared.declarations.workflow import submit
from shared.publication.french_dates import day_in_words
from shared.registry import set_contact
from shared.times import paris_today
from tests.support.declarations import declaration_fields
from tests.support.smtp import Inbox, SmtpServer, smtp_server

ADMIN = Caller(1, "admin", frozenset(), None)
TODAY = paris_today()
YEAR = TODAY.year - 1


def remind(*args: str) -> Any:
    return CliRunner().invoke(main, ["campaign", "remind", *args])


@pytest.fixture
def campaign(sessions: sessionmaker[Session], registry: Any) -> sessionmaker[Session]:
    """Paris and Créteil have addresses, Créteil has declared; Chartres has no address."""
    with sessions.begin() as session:
        set_contact(session, "ML-11-001", "direction@ml-paris.example.org")
        set_contact(session, "ML-11-002", "direction@ml-creteil.example.org")
        submit(session, ADMIN, YEAR, "ML-11-002", declaration_fields())
    return sessions


def open_window(sessions: sessionmaker[Session], closes_in: int) -> dt.date:
    closes = TODAY + dt.timedelta(days=closes_in)
    with sessions.begin() as session:
        save_window(session, ADMIN, YEAR, dt.date(YEAR, 1, 1), closes)
    return closes


def test_without_a_way_out_nothing_can_be_sent(env: dict[str, str], campaign: Any) -> None:
    done = remind(str(YEAR))
    assert done.exit_code == 1
    assert done.output == (
        "Error: no mail can be sent: set BILAN_SMTP_URL (an SMTP relay) or BILAN_MAIL_DIR "
        "(a folder)\n"
    )


def test_the_reminders_due_are_sent_once(
    env: dict[str, str], campaign: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    with smtp_server() as server:
        monkeypatch.setenv("BILAN_SMTP_URL", server.url)
        done = remind(str(YEAR))
        assert (done.exit_code, done.output) == (
            1,
            f"Error: {YEAR} has no declaration window: an admin sets it first (/admin, or "
            f"PUT /v1/campaigns/{YEAR})\n",
        )
        closes = open_window(campaign, 20)
        done = remind(str(YEAR), "--quiet")
        assert done.exit_code == 0, done.output
        assert done.output == (
            f"no reminder of {YEAR} is due today; the next is on "
            f"{closes - dt.timedelta(days=14)} (14 days before closing on {closes})\n"
        )
        closes = open_window(campaign, 3)  # both reminder days reached: the 3-day one only
        done = remind(str(YEAR), "--quiet")
        assert done.exit_code == 0, done.output
        assert done.output.splitlines() == [
            f"1 reminder(s) of {YEAR} written for {closes - dt.timedelta(days=3)} (3 days before "
            f"closing on {closes}, {day_in_words(closes)})",
            f"reminders of {YEAR}: 1 sent, 0 refused by the relay",
        ]  # fmt: skip
        again = remind(str(YEAR), "--quiet")
        assert again.exit_code == 0
        assert (
            again.output.splitlines()[-1] == f"reminders of {YEAR}: 0 sent, 0 refused by the relay"
        )
        (mail,) = server.inbox.all()
    assert mail.recipients == ("direction@ml-paris.example.org",)
    assert mail.subject.startswith(f"Rappel : déclaration ICARE {YEAR} à transmettre avant le ")


def test_a_relay_down_keeps_them_for_later(
    env: dict[str, str], campaign: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = SmtpServer(Inbox())
    monkeypatch.setenv("BILAN_SMTP_URL", server.url)
    monkeypatch.setenv("BILAN_SWEEP_SECONDS", "0.1")
    open_window(campaign, 3)
    done = remind(str(YEAR), "--quiet")
    assert done.exit_code == 1
    last = done.output.splitlines()[-1]
    assert last.startswith(f"Error: 1 reminder(s) put off (SMTP relay 127.0.0.1:{server.port} ")
    assert last.endswith(
        "they wait in the outbox, and the workers send them when the relay takes them"
    )
    server.start()
    try:
        import time

        time.sleep(0.2)  # the first retry's delay
        done = remind(str(YEAR), "--quiet")
        assert done.exit_code == 0, done.output
        assert done.output.splitlines() == [
            done.output.splitlines()[0],
            f"reminders of {YEAR}: 1 sent, 0 refused by the relay",
        ]
        assert done.output.startswith(f"0 reminder(s) of {YEAR} written")  # written the first time
        assert [m.recipients for m in server.inbox.all()] == [("direction@ml-paris.example.org",)]
    finally:
        server.stop()


@pytest.mark.parametrize("closes_in, says", [(-1, "closed on"), (None, "opens on")])
def test_outside_the_window_no_reminder_is_due(
    env: dict[str, str],
    campaign: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
    closes_in: int | None,
    says: str,
) -> None:
    monkeypatch.setenv("BILAN_MAIL_DIR", str(tmp_path / "mails"))
    with campaign.begin() as session:
        if closes_in is None:
            opens = TODAY + dt.timedelta(days=1)
            save_window(session, ADMIN, YEAR, opens, opens + dt.timedelta(days=30))
        else:
            save_window(session, ADMIN, YEAR, dt.date(YEAR, 1, 1), TODAY + dt.timedelta(closes_in))
    done = remind(str(YEAR))
    assert done.exit_code == 0 and says in done.output and "no reminder is due" in done.output
    assert not (tmp_path / "mails").exists()


@pytest.mark.parametrize("year", ["1900", str(TODAY.year + 2)])
def test_a_year_far_away_is_refused(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Any, year: str
) -> None:
    monkeypatch.setenv("BILAN_MAIL_DIR", str(tmp_path))
    done = remind(year)
    assert (done.exit_code, done.output) == (
        1,
        f"Error: year {year} is refused: expected 1982 to {TODAY.year + 1}\n",
    )
