"""Sending what the outbox holds: claim a due mail, hand it to the way out, record what came
of it; then the next, on the same connection.

Each mail is claimed for a lease of ``LEASE_EXCHANGES`` SMTP timeouts: the most its sending
can take (every exchange waits one timeout at most, and a mail takes at most five —
MAIL, RCPT, DATA, its text, the answer — plus a reset), so that while its sender lives no
other sender takes it. Its record follows the relay's acceptance at once, in a transaction
of its own. A sender that dies in between leaves the mail claimed: once the lease is over
it is due again, and sent again with the same Message-ID — the only case of a second send.

A refused address is that mail's alone (``refused``); a relay that cannot be reached puts
off every due mail of the run (``outbox.defer_due``), each after a delay that doubles with
its attempts, from ``BILAN_SWEEP_SECONDS``: the workers' sweep, which wakes a sender
whenever a mail is due, is the clock of the retries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from shared.config import Settings
from shared.mail.message import Outgoing
from shared.mail.outbox import (
    EVERY_MAIL,
    Scope,
    claim_next,
    defer_due,
    due_mail_exists,
    record_deferred,
    record_refused,
    record_sent,
)
from shared.mail.transport import Deferred, Refused, Transport, Unreachable, transport_for
from shared.pipeline.checkpoints import reached

LEASE_EXCHANGES = 8


@dataclass
class Delivery:
    """What a run did: mails sent, refused for good, put off; why none could leave, if so."""

    sent: int = 0
    refused: int = 0
    deferred: int = 0
    unreachable: str | None = None


def lease_seconds(settings: Settings) -> float:
    """How long a claimed mail is its sender's alone."""
    return LEASE_EXCHANGES * settings.smtp_timeout_seconds


def send_due_mails(
    sessions: sessionmaker[Session],
    settings: Settings,
    scope: Scope = EVERY_MAIL,
    transport: Transport | None = None,
    on_mail: Callable[[Delivery], None] | None = None,
) -> Delivery:
    """Send the due mails of ``scope``, until none is due or the way out fails; ``on_mail``
    is told after each mail."""
    done = Delivery()
    with sessions() as session:
        if not due_mail_exists(session, scope):
            return done
    transport = transport or transport_for(settings)
    base = settings.sweep_seconds
    try:
        transport.open()
    except Unreachable as exc:
        done.unreachable = str(exc)
        with sessions.begin() as session:
            done.deferred += defer_due(session, str(exc), base, scope)
        return done
    try:
        while True:
            with sessions.begin() as session:
                mail = claim_next(session, lease_seconds(settings), scope)
                if mail is None:
                    return done
                outgoing = Outgoing.of(mail)
            if not _send_one(sessions, transport, outgoing, base, scope, done):
                return done
            if on_mail:
                on_mail(done)
    finally:
        transport.close()


def _send_one(
    sessions: sessionmaker[Session],
    transport: Transport,
    outgoing: Outgoing,
    base: float,
    scope: Scope,
    done: Delivery,
) -> bool:
    """Send one claimed mail and record what came of it in ``done``; False when the way out
    failed (every due mail of ``scope`` then put off)."""
    try:
        transport.send(outgoing)
    except Refused as exc:
        with sessions.begin() as session:
            record_refused(session, outgoing.id, str(exc))
        done.refused += 1
        return True
    except Deferred as exc:
        with sessions.begin() as session:
            record_deferred(session, outgoing.id, outgoing.attempts, str(exc), base)
        done.deferred += 1
        return True
    except Unreachable as exc:
        done.unreachable = str(exc)
        with sessions.begin() as session:
            record_deferred(session, outgoing.id, outgoing.attempts, str(exc), base)
            done.deferred += 1 + defer_due(session, str(exc), base, scope)
        return False
    # Accepted: a sender that dies from here to the commit below is the one case of a second
    # send (same Message-ID), once its lease is over.
    reached("mail.accepted")
    with sessions.begin() as session:
        record_sent(session, outgoing.id)
    done.sent += 1
    return True
