"""The outbox's races on the real PostgreSQL, driven step by step: two runs writing the same
reminders write each once; two senders claiming at once never take the same mail."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from shared.access.tokens import Caller
from shared.declarations.campaign_window import save_window
from shared.declarations.reminders import write_reminders
from shared.mail.outbox import Letter, MailConfig, claim_next, enqueue
from shared.registry import set_contact
from shared.storage.models.mail import Mail
from tests.integration.interleaving import Transaction

pytestmark = pytest.mark.postgres

ADMIN = Caller(1, "admin", frozenset(), None)
CONFIG = MailConfig(sender="noreply@bilan.example.org", links_base="https://bilan.example.org")
TODAY = dt.date(2026, 6, 27)  # the 3-day reminder day of the window below


def test_two_runs_reading_the_same_structures_write_each_reminder_once(
    pg: sessionmaker[Session],
) -> None:
    with pg.begin() as session:
        set_contact(session, "ML-11-001", "a@ml-paris.example.org")
        set_contact(session, "PAIO-24-001", "b@paio-chartres.example.org")
        save_window(session, ADMIN, 2025, dt.date(2026, 4, 1), dt.date(2026, 6, 30))

    def run(session: Session) -> list[str]:
        return write_reminders(session, CONFIG, 2025, (14, 3), TODAY).written

    first = Transaction(pg, run, stop_at="reminders.read", name="first").start()
    second = Transaction(pg, run, stop_at="reminders.read", name="second").start()
    assert first.stopped and second.stopped  # both read the same two structures due
    written_first = first.finish()
    written_second = second.finish()  # its inserts waited for the first's commit
    assert sorted(written_first + written_second) == ["ML-11-001", "PAIO-24-001"]
    with pg() as session:
        keys = session.scalars(select(Mail.key).order_by(Mail.key)).all()
    assert keys == [
        "reminder:2025:ML-11-001:2026-06-27",
        "reminder:2025:PAIO-24-001:2026-06-27",
    ]


def test_two_senders_never_claim_the_same_mail(pg: sessionmaker[Session]) -> None:
    with pg.begin() as session:
        for n in (1, 2):
            enqueue(
                session, CONFIG, key=f"k{n}", kind="reminder", year=2025,
                structure_id="ML-11-001", recipient="a@ml-paris.example.org",
                letter=Letter("Sujet", "Texte"),
            )  # fmt: skip

    def claim(session: Session) -> int | None:
        mail = claim_next(session, 60)
        return None if mail is None else mail.id

    first = Transaction(pg, claim, stop_at="mail.claimed", name="first").start()
    assert first.stopped  # the oldest mail claimed, its row locked, not yet committed
    second = Transaction(pg, claim, name="second").start()
    assert second.done, "the second sender skips the locked mail instead of waiting"
    ids = {first.finish(), second.finish()}
    assert len(ids) == 2 and None not in ids
    third = Transaction(pg, claim, name="third").start()
    assert third.finish() is None  # both claimed for their lease: none is due
