"""The outbox of the campaign's mails."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from shared.storage.models.base import Base, utcnow


class Mail(Base):
    """The outbox (shared/mail/outbox.py): one mail to send, written in the transaction of what
    causes it, and marked sent once the SMTP relay accepted it.

    ``key`` says what caused it (a decision's audit line, a structure's reminder day): a
    cause mails once. ``message_id`` is drawn with the row, so that the one resend there can
    be — a crash between the relay's acceptance and this row's update — carries the same one.
    """

    __tablename__ = "mails"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    structure_id: Mapped[str] = mapped_column(String(32))
    # A reminder's day (closing day minus one of BILAN_REMINDER_DAYS).
    reminder_day: Mapped[dt.date | None] = mapped_column(Date)
    recipient: Mapped[str] = mapped_column(String(254))
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Being sent by a worker until then; past it, the worker is taken for dead.
    claimed_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (
        Index(
            "ix_mails_pending",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
        Index("ix_mails_structure", "structure_id", "year"),
        Index("ix_mails_year_kind", "year", "kind"),
    )
