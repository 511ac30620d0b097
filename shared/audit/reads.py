"""The reads of exact figures and declarations' contents, by the hour: one ``access_reads``
row per (token, sign-in or token, kind, scope, year, hour), however many reads — a dashboard
polling every few seconds writes one row an hour.

``ReadNotes`` (one per web process) remembers the keys it wrote this hour and writes a new
key once, with INSERT … ON CONFLICT DO NOTHING (another process may have written it), in a
short transaction of its own that never fails the read: the web calls it when the answer has
been sent (``Response.call_on_close``), off the request's path. A process that dies loses
nothing it had not yet written but the rest of its hour's repeats.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from shared.storage.db import upsert
from shared.storage.models.audit import AccessRead
from shared.storage.models.base import utcnow

log = logging.getLogger(__name__)

EXACT, EXPORT, DECLARATIONS = "exact", "export", "declarations"
TOKEN, SIGN_IN = "token", "sign-in"


@dataclass(frozen=True)
class Read:
    """One read, as the audit keeps it (without its hour)."""

    token_id: int
    via: str
    role: str
    what: str
    scope: str
    year: int


def hour_of(moment: dt.datetime) -> dt.datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


class ReadNotes:
    """This process's notes of reads: each (read, hour) written once."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._hour: dt.datetime | None = None
        self._written: set[Read] = set()
        self._lock = threading.Lock()

    def note(self, read: Read, now: dt.datetime | None = None) -> bool:
        """Write the read for this hour unless this process already did; whether it wrote."""
        hour = hour_of(now or utcnow())
        with self._lock:
            if hour != self._hour:
                self._hour, self._written = hour, set()
            if read in self._written:
                return False
            self._written.add(read)
        try:
            with self._sessions.begin() as session:
                session.execute(
                    upsert(session, AccessRead)
                    .values(hour=hour, **read.__dict__)
                    .on_conflict_do_nothing()
                )
        except SQLAlchemyError as exc:
            with self._lock:
                self._written.discard(read)  # the next read tries again
            log.warning("could not note a read in the audit: %s", exc)
            return False
        return True
