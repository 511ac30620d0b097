"""A mail of the outbox as the bytes that leave: headers, and its text in UTF-8.

Everything is fixed when the row is written — Message-ID, date, subject, text — so that
every attempt sends the same mail. What may differ between two ways out is only how the
same message is encoded: for an SMTP relay, headers encoded as RFC 2047 words and a body in
8 bits when the relay announces 8BITMIME (quoted-printable otherwise); for a folder that a
person reads, everything in plain UTF-8.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from shared.storage.models.mail import Mail
from shared.times import as_utc, in_paris

SENDER_NAME = "bilan - réseau des missions locales"


@dataclass(frozen=True)
class Outgoing:
    """A claimed mail, read from its row before the row's transaction ends."""

    id: int
    kind: str
    structure_id: str
    recipient: str
    message_id: str
    subject: str
    body: str
    created_at: dt.datetime
    attempts: int

    @classmethod
    def of(cls, mail: Mail) -> Outgoing:
        return cls(
            id=mail.id,
            kind=mail.kind,
            structure_id=mail.structure_id,
            recipient=mail.recipient,
            message_id=mail.message_id,
            subject=mail.subject,
            body=mail.body,
            created_at=as_utc(mail.created_at),
            attempts=mail.attempts,
        )


def message_of(mail: Outgoing, sender: str, *, readable: bool, eight_bit: bool) -> EmailMessage:
    """The mail as a message: ``readable``, its headers in UTF-8 (for a folder; else RFC 2047
    words, for SMTP); ``eight_bit``, its text as is (else quoted-printable)."""
    # A person reads the folder's files: headers whole on their line (RFC 5322's 998 at most).
    readable_policy = policy.SMTPUTF8.clone(max_line_length=998)
    message = EmailMessage(policy=readable_policy if readable else policy.SMTP)
    message["From"] = formataddr((SENDER_NAME, sender))
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(in_paris(mail.created_at))
    message["Message-ID"] = mail.message_id
    # RFC 3834: an automatic message, which out-of-office replies leave alone.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.body, charset="utf-8", cte="8bit" if eight_bit else "quoted-printable")
    return message
