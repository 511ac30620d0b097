"""The outbox and its sending, with a real SMTP server in the test: each mail once, a refused
address alone, nothing lost while the relay is down, and the one resend there can be."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import replace
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from shared.config import Settings, load_settings
from shared.mail.delivery import lease_seconds, send_due_mails
from shared.mail.outbox import (
    PENDING,
    REFUSED,
    SENT,
    Letter,
    MailConfig,
    enqueue,
    retry_delay,
)
from shared.pipeline.checkpoints import installed
from shared.storage.models.mail import Mail
from tests.support.smtp import Inbox, SmtpServer, smtp_server

CONFIG = MailConfig(sender="noreply@bilan.example.org", links_base="https://bilan.example.org")


def settings_of(database_url: str, smtp_url: str | None, **changes: Any) -> Settings:
    """Mail settings for a test: short waits, so that retries and leases take a moment."""
    base = load_settings({})
    values: dict[str, Any] = {
        "database_url": database_url,
        "smtp_url": smtp_url,
        "sweep_seconds": 0.05,
        "smtp_timeout_seconds": 1.0,
        "mail_from": CONFIG.sender,
    }
    return replace(base, **{**values, **changes})


def write(sessions: sessionmaker[Session], key: str, to: str, year: int = 2007) -> bool:
    with sessions.begin() as session:
        return enqueue(
            session,
            CONFIG,
            key=key,
            kind="reminder",
            year=year,
            structure_id="ML-11-001",
            recipient=to,
            letter=Letter(f"Sujet {key} : déclaration", f"Bonjour,\n\nTexte {key}, été.\n"),
        )


def rows(sessions: sessionmaker[Session]) -> dict[str, Mail]:
    with sessions() as session:
        return {mail.key: mail for mail in session.scalars(select(Mail))}


def test_a_cause_mails_once_and_a_mail_is_sent_once(
    sessions: sessionmaker[Session], database_url: str
) -> None:
    assert write(sessions, "decision:1", "a@ml.example.org")
    assert not write(sessions, "decision:1", "a@ml.example.org")  # the same cause: nothing
    with smtp_server() as server:
        settings = settings_of(database_url, server.url)
        done = send_due_mails(sessions, settings)
        assert (done.sent, done.refused, done.deferred, done.unreachable) == (1, 0, 0, None)
        again = send_due_mails(sessions, settings)  # a redelivered task: nothing to send
        assert (again.sent, again.deferred) == (0, 0)
        (mail,) = server.inbox.all()
    row = rows(sessions)["decision:1"]
    assert (row.status, row.attempts, row.last_error) == (SENT, 1, None)
    assert row.sent_at is not None and row.claimed_until is None
    assert mail.recipients == ("a@ml.example.org",)
    assert mail.sender == "noreply@bilan.example.org"
    assert mail.message_id == row.message_id and row.message_id.endswith("@bilan.example.org>")
    assert mail.subject == "Sujet decision:1 : déclaration"
    assert mail.text == "Bonjour,\n\nTexte decision:1, été.\n"
    assert mail.message["Auto-Submitted"] == "auto-generated"


def test_a_refused_address_does_not_hold_the_others(
    sessions: sessionmaker[Session], database_url: str
) -> None:
    inbox = Inbox(refuse={"unknown@ml.example.org"}, defer={"grey@ml.example.org"})
    write(sessions, "1", "unknown@ml.example.org")
    write(sessions, "2", "grey@ml.example.org")
    write(sessions, "3", "ok@ml.example.org")
    with smtp_server(inbox) as server:
        settings = settings_of(database_url, server.url, sweep_seconds=30)
        done = send_due_mails(sessions, settings)
        assert (done.sent, done.refused, done.deferred, done.unreachable) == (1, 1, 1, None)
        assert [mail.recipients for mail in inbox.all()] == [("ok@ml.example.org",)]
        found = rows(sessions)
        assert found["1"].status == REFUSED
        assert found["1"].last_error == (
            "550 5.1.1 <unknown@ml.example.org>: Recipient address rejected: User unknown"
        )
        # Greylisted: tried again after the first delay, from BILAN_SWEEP_SECONDS.
        assert (found["2"].status, found["2"].attempts) == (PENDING, 1)
        assert found["2"].last_error == "451 4.7.1 Greylisted, please try again later"
        wait = found["2"].next_attempt_at.replace(tzinfo=dt.UTC) - dt.datetime.now(dt.UTC)
        assert dt.timedelta(seconds=25) < wait <= dt.timedelta(seconds=30)
        # Not due yet: a new run leaves it, and the refused one is never tried again.
        assert send_due_mails(sessions, settings).sent == 0
        inbox.defer.clear()
        with sessions.begin() as session:
            session.execute(update(Mail).values(next_attempt_at=dt.datetime.now(dt.UTC)))
        assert send_due_mails(sessions, settings).sent == 1
    assert rows(sessions)["2"].status == SENT
    assert rows(sessions)["1"].attempts == 1


def test_nothing_is_lost_while_the_relay_is_down(
    sessions: sessionmaker[Session], database_url: str
) -> None:
    server = SmtpServer(Inbox())  # its port, nobody listening yet
    settings = settings_of(database_url, server.url, sweep_seconds=0.2)
    for key in ("1", "2", "3"):
        write(sessions, key, f"{key}@ml.example.org")
    down = send_due_mails(sessions, settings)
    assert (down.sent, down.deferred) == (0, 3)
    assert (
        down.unreachable is not None and f"127.0.0.1:{server.port} unreachable" in down.unreachable
    )
    found = rows(sessions)
    assert {(m.status, m.attempts) for m in found.values()} == {(PENDING, 1)}
    assert all("unreachable" in (m.last_error or "") for m in found.values())
    # Put off: the next attempt waits its delay; then again, twice as long.
    assert send_due_mails(sessions, settings).deferred == 0
    time.sleep(0.25)
    assert send_due_mails(sessions, settings).deferred == 3
    assert {m.attempts for m in rows(sessions).values()} == {2}
    assert retry_delay(2, 0.2) == 0.4 and retry_delay(40, 5) == 900
    server.start()
    try:
        time.sleep(0.45)
        back = send_due_mails(sessions, settings)
        assert (back.sent, back.deferred, back.unreachable) == (3, 0, None)
        assert sorted(m.recipients[0] for m in server.inbox.all()) == [
            "1@ml.example.org", "2@ml.example.org", "3@ml.example.org",
        ]  # fmt: skip
    finally:
        server.stop()
    assert {m.status for m in rows(sessions).values()} == {SENT}


class Crash(BaseException):
    """The sender dies (raised from a checkpoint: nothing after it runs)."""


def test_a_sender_dying_after_the_relay_took_the_mail_sends_it_again_with_its_message_id(
    sessions: sessionmaker[Session], database_url: str
) -> None:
    write(sessions, "decision:7", "a@ml.example.org")
    with smtp_server() as server:
        settings = settings_of(database_url, server.url, smtp_timeout_seconds=0.1)

        def die(point: str) -> None:
            if point == "mail.accepted":
                raise Crash

        with installed(die), pytest.raises(Crash):
            send_due_mails(sessions, settings)
        assert len(server.inbox.all()) == 1
        row = rows(sessions)["decision:7"]
        assert (row.status, row.claimed_until is not None) == (PENDING, True)
        # While its lease lasts, the mail is its (dead) sender's: nobody sends it.
        assert send_due_mails(sessions, settings).sent == 0
        time.sleep(lease_seconds(settings) + 0.1)
        assert send_due_mails(sessions, settings).sent == 1
        first, second = server.inbox.all()
        assert first.message_id == second.message_id == row.message_id
        assert first.message.as_bytes() == second.message.as_bytes()
        assert send_due_mails(sessions, settings).sent == 0
    assert rows(sessions)["decision:7"].status == SENT


def test_the_demo_folder_gets_one_readable_file_per_mail(
    sessions: sessionmaker[Session], database_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "mails"
    settings = settings_of(database_url, None, mail_dir=str(folder))
    write(sessions, "reminder:2007:ML-11-001:2008-06-16", "a@ml.example.org")
    assert send_due_mails(sessions, settings).sent == 1
    assert send_due_mails(sessions, settings).sent == 0
    (path,) = folder.iterdir()
    assert path.name.endswith("_relance_ML-11-001_1.eml")
    text = path.read_text(encoding="utf-8")
    assert "Subject: Sujet reminder:2007:ML-11-001:2008-06-16 : déclaration" in text
    assert "Texte reminder:2007:ML-11-001:2008-06-16, été." in text  # plain UTF-8, no encoding
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["Message-ID"] == rows(sessions)["reminder:2007:ML-11-001:2008-06-16"].message_id


def test_a_folder_that_cannot_be_written_puts_the_mails_off(
    sessions: sessionmaker[Session], database_url: str, tmp_path: Path
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("")
    settings = settings_of(database_url, None, mail_dir=str(blocked / "mails"))
    write(sessions, "1", "a@ml.example.org")
    done = send_due_mails(sessions, settings)
    assert (done.sent, done.deferred) == (0, 1) and "mail folder" in (done.unreachable or "")
    assert rows(sessions)["1"].status == PENDING
