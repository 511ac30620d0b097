"""The workers' mail: the task that sends what the outbox holds, and the sweep's part — the
day's reminders written, the sender woken while a mail is due.

``send_mails`` carries no argument: it claims due mails from the database
(shared/mail/delivery.py), so that a redelivered, duplicate or lost message is harmless —
the sweep wakes a sender whenever a mail is due, which is also how a mail put off (relay
down, a 4xx) is tried again when its delay is over.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time

from celery import Task
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from services.aggregate.celery_app import app
from shared.config import Settings, load_settings
from shared.declarations.reminders import write_due_reminders
from shared.mail.delivery import send_due_mails
from shared.mail.outbox import MailConfig, due_mail_exists
from shared.pipeline.queue import SEND_MAILS, notify_mails
from shared.storage.db import engine_for, session_factory
from shared.times import paris_today

log = logging.getLogger(__name__)

# The reminders are written by the first sweep of a worker, then whenever the day changes in
# Paris, and every hour besides (a window saved, an address added during the day).
REMINDER_CHECK_SECONDS = 3600.0


@app.task(name=SEND_MAILS, bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def send_mails(self: Task) -> int:
    """Send the due mails of the outbox; how many the relay took."""
    settings = load_settings()
    if not settings.mail_on:
        return 0
    try:
        done = send_due_mails(session_factory(engine_for(settings.database_url)), settings)
    except DBAPIError as exc:
        # The database failed between two mails: what was sent is recorded, the rest waits.
        log.warning("sending mails failed, retrying: %s", exc.orig)
        raise self.retry(countdown=settings.sweep_seconds, exc=exc) from None
    if done.unreachable:
        log.warning("mails put off (%s mails): %s", done.deferred, done.unreachable)
    if done.sent or done.refused:
        log.info("mails: %s sent, %s refused, %s put off", done.sent, done.refused, done.deferred)
    return done.sent


class HourlyClock:
    """When this worker's sweep does a daily chore: on its first sweep, whenever the day
    changes in Paris, and every hour besides (REMINDER_CHECK_SECONDS) — the reminders due,
    the retention's purge and the audit's expiry (retention_tasks.py)."""

    def __init__(self) -> None:
        self.day: dt.date | None = None
        self.at = -math.inf

    def due(self, today: dt.date, now: float) -> bool:
        if today != self.day or now - self.at >= REMINDER_CHECK_SECONDS:
            self.day, self.at = today, now
            return True
        return False


def mail_sweep(
    sessions: sessionmaker[Session], settings: Settings, clock: HourlyClock
) -> tuple[int, bool]:
    """The sweep's mail: the reminders due written (when ``clock`` says), the sender woken if
    a mail is due. Returns (reminders written, whether a mail is due)."""
    config = MailConfig.of(settings)
    if config is None:
        return 0, False
    written = 0
    if clock.due(paris_today(), time.monotonic()):
        with sessions.begin() as session:
            found = write_due_reminders(session, config, settings.reminder_days)
        written = sum(len(reminders.written) for reminders in found)
        if written:
            log.info("reminders written: %s", written)
    with sessions() as session:
        due = due_mail_exists(session)
    if due:
        notify_mails(settings)
    return written, due
