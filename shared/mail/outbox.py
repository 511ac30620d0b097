"""The outbox: the mails bilan has to send, as rows written in the transaction of what causes
them, and each one's way to ``sent``.

A decision or a reminder writes its mail in its own transaction (``enqueue``): the mail
exists if and only if the decision does. Its ``key`` names the cause — a decision's audit
line, a structure's reminder day — and is unique, so that a cause mails once however many
times it is found. Sending is the workers' (delivery.py): a sender *claims* a due mail for
a lease (``claim_next``), hands it to the relay, then records what came of it: ``sent``,
``refused`` for good (the relay refused the address: retrying would change nothing), or
*deferred* — still pending, tried again after a delay that doubles with each attempt
(``retry_delay``). A mail whose sender died stays claimed until its lease ends, then is due
again: the one case where a mail the relay accepted can be sent twice is a sender dying
between the relay's acceptance and its record, and the resend carries the same Message-ID.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, and_, func, or_, select, true, update
from sqlalchemy.orm import Session

from shared.pipeline.checkpoints import reached
from shared.storage.db import upsert
from shared.storage.models.base import utcnow
from shared.storage.models.mail import Mail
from shared.times import as_utc

if TYPE_CHECKING:
    from shared.config import Settings

PENDING, SENT, REFUSED = "pending", "sent", "refused"
STATUSES: tuple[str, ...] = (PENDING, SENT, REFUSED)
# What causes a mail.
VALIDATED, REJECTED, REMINDER = "validated", "rejected", "reminder"
KINDS: tuple[str, ...] = (VALIDATED, REJECTED, REMINDER)
# The longest wait between two attempts of a mail the relay did not take.
MAX_RETRY_SECONDS = 900.0
ERROR_LENGTH = 500
SUBJECT_LENGTH = 300


@dataclass(frozen=True)
class MailConfig:
    """What writing a mail needs: its sender, and the address its links start with."""

    sender: str
    links_base: str

    @classmethod
    def of(cls, settings: Settings) -> MailConfig | None:
        """The configuration of these settings; None when bilan sends no mail."""
        if not settings.mail_on:
            return None
        return cls(sender=settings.sender, links_base=settings.links_base)

    def link(self, path: str) -> str:
        """The absolute address of a page of bilan."""
        return f"{self.links_base}{path}"


@dataclass(frozen=True)
class Letter:
    """What a mail says: its subject and its text."""

    subject: str
    body: str


@dataclass(frozen=True)
class Scope:
    """Which mails a sender takes: all, or one year's of one kind (``bilan campaign remind``)."""

    year: int | None = None
    kind: str | None = None

    def condition(self) -> ColumnElement[bool]:
        conditions = []
        if self.year is not None:
            conditions.append(Mail.year == self.year)
        if self.kind is not None:
            conditions.append(Mail.kind == self.kind)
        return and_(true(), *conditions)


EVERY_MAIL = Scope()


def message_id(sender: str) -> str:
    """A new Message-ID in the sender's domain."""
    domain = sender.rpartition("@")[2] or "localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


def enqueue(
    session: Session,
    config: MailConfig,
    *,
    key: str,
    kind: str,
    year: int,
    structure_id: str,
    recipient: str,
    letter: Letter,
    reminder_day: dt.date | None = None,
) -> bool:
    """Write a mail to send in the session's transaction; False when its ``key`` was written
    already (by this transaction or a committed one), and nothing is written."""
    now = utcnow()
    statement = (
        upsert(session, Mail)
        .values(
            key=key,
            kind=kind,
            year=year,
            structure_id=structure_id,
            reminder_day=reminder_day,
            recipient=recipient,
            message_id=message_id(config.sender),
            # One line (a header): a name with a line break cannot break the message.
            subject=" ".join(letter.subject.split())[:SUBJECT_LENGTH],
            body=letter.body,
            status=PENDING,
            attempts=0,
            created_at=now,
            next_attempt_at=now,
        )
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(Mail.id)
    )
    return session.execute(statement).scalar() is not None


def _due(now: dt.datetime) -> ColumnElement[bool]:
    """Pending, its time come, and nobody sending it (or its sender's lease is over)."""
    return and_(
        Mail.status == PENDING,
        Mail.next_attempt_at <= now,
        or_(Mail.claimed_until.is_(None), Mail.claimed_until < now),
    )


def due_mail_exists(session: Session, scope: Scope = EVERY_MAIL) -> bool:
    """Whether some mail of ``scope`` waits to be sent now."""
    found = session.scalar(
        select(Mail.id).where(_due(utcnow()), scope.condition()).order_by(Mail.id).limit(1)
    )
    return found is not None


def due_count(session: Session, scope: Scope = EVERY_MAIL) -> int:
    """How many mails of ``scope`` wait to be sent now."""
    count = session.scalar(
        select(func.count()).select_from(Mail).where(_due(utcnow()), scope.condition())
    )
    return int(count or 0)


def claim_next(session: Session, lease_seconds: float, scope: Scope = EVERY_MAIL) -> Mail | None:
    """The oldest due mail of ``scope``, claimed for ``lease_seconds`` (one attempt more);
    None when none is due. The caller commits before sending it."""
    now = utcnow()
    mail = session.scalar(
        select(Mail)
        .where(_due(now), scope.condition())
        .order_by(Mail.id)
        .limit(1)
        # PostgreSQL: two senders skip each other's mail. SQLite: writers are serialized.
        .with_for_update(skip_locked=True)
    )
    if mail is None:
        return None
    mail.claimed_until = now + dt.timedelta(seconds=lease_seconds)
    mail.attempts += 1
    session.flush()
    reached("mail.claimed")  # the row stays locked until the caller commits
    return mail


def _error(text: str) -> str:
    return text if len(text) <= ERROR_LENGTH else text[: ERROR_LENGTH - 1] + "…"


def record_sent(session: Session, mail_id: int) -> None:
    """The relay accepted the mail."""
    session.execute(
        update(Mail)
        .where(Mail.id == mail_id)
        .values(status=SENT, sent_at=utcnow(), claimed_until=None, last_error=None)
    )


def record_refused(session: Session, mail_id: int, error: str) -> None:
    """The relay refused the mail for good (its address): it is not tried again."""
    session.execute(
        update(Mail)
        .where(Mail.id == mail_id, Mail.status == PENDING)
        .values(status=REFUSED, claimed_until=None, last_error=_error(error))
    )


def retry_delay(attempts: int, base_seconds: float) -> float:
    """Seconds before the next attempt of a mail tried ``attempts`` times: doubling from
    ``base_seconds``, at most MAX_RETRY_SECONDS."""
    doublings = min(max(attempts - 1, 0), 30)
    return min(base_seconds * float(2**doublings), MAX_RETRY_SECONDS)


def record_deferred(
    session: Session, mail_id: int, attempts: int, error: str, base_seconds: float
) -> None:
    """The mail was not taken this time: tried again after ``retry_delay``."""
    retry_at = utcnow() + dt.timedelta(seconds=retry_delay(attempts, base_seconds))
    session.execute(
        update(Mail)
        .where(Mail.id == mail_id, Mail.status == PENDING)
        .values(claimed_until=None, next_attempt_at=retry_at, last_error=_error(error))
    )


def defer_due(session: Session, error: str, base_seconds: float, scope: Scope = EVERY_MAIL) -> int:
    """Every due mail of ``scope`` put off as if tried once more (the relay cannot be reached:
    each would fail alike); how many."""
    now = utcnow()
    due = session.execute(
        select(Mail.id, Mail.attempts)
        .where(_due(now), scope.condition())
        .with_for_update(skip_locked=True)
    ).all()
    for mail_id, attempts in due:
        retry_at = now + dt.timedelta(seconds=retry_delay(attempts + 1, base_seconds))
        session.execute(
            update(Mail)
            .where(Mail.id == mail_id)
            .values(attempts=attempts + 1, next_attempt_at=retry_at, last_error=_error(error))
        )
    return len(due)


def mails_of_structure(session: Session, structure_id: str, limit: int = 100) -> list[Mail]:
    """A structure's mails, newest first."""
    return list(
        session.scalars(
            select(Mail)
            .where(Mail.structure_id == structure_id)
            .order_by(Mail.created_at.desc(), Mail.id.desc())
            .limit(limit)
        )
    )


def mails_of_year(session: Session, year: int, kind: str | None = None) -> list[Mail]:
    """A year's mails (of one kind), oldest first."""
    statement = select(Mail).where(Mail.year == year)
    if kind is not None:
        statement = statement.where(Mail.kind == kind)
    return list(session.scalars(statement.order_by(Mail.id)))


def counts_by_status(session: Session, year: int) -> dict[str, int]:
    """A year's mails counted by status (every status, zeros included)."""
    found = dict(
        session.execute(
            select(Mail.status, func.count()).where(Mail.year == year).group_by(Mail.status)
        ).all()
    )
    return {status: int(found.get(status, 0)) for status in STATUSES}


def sent_or_due_at(mail: Mail) -> dt.datetime:
    """When a mail went (or when it was written, while it waits)."""
    return as_utc(mail.sent_at or mail.created_at)
