"""The years closed by a purge, and the lock that orders a purge against every writer.

A year is *closed* from the moment ``bilan purge`` accepts it: every year up to the greatest
one in ``purged_years`` refuses events, retractions, declarations and consolidations with
``purged_year`` (SPEC §5). The closure must not slip between a writer's check and its commit
— an event of a year recorded just after the purge checked that the year had nothing pending
would come back, uncounted by the frozen report, then be deleted. So on PostgreSQL every such
writer takes a *shared* transaction-level advisory lock before it reads the closure, and the
purge takes it *exclusively* while it checks and closes (a short transaction): a writer that
read the year open commits before the purge checks, and the purge sees what it wrote; a writer
that comes after sees the year closed. On SQLite every write transaction is already serialized
(BEGIN IMMEDIATE, shared/storage/db.py), the check included.
"""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from shared.storage.bulk import is_postgres
from shared.storage.models.retention import PurgedYear

# One advisory lock key for the purge and its writers ("bilanpur" in ASCII).
PURGE_LOCK = 0x62696C616E707572
PURGED_YEAR = "purged_year"


class YearPurged(Exception):
    """A write aimed at a purged year: the code ``purged_year`` and why."""

    def __init__(self, year: int) -> None:
        self.code = PURGED_YEAR
        self.year = year
        self.message = (
            f"{year} was purged: its youth-level records are deleted and its figures are "
            "final; it takes no event, declaration or consolidation"
        )
        super().__init__(self.message)


def closed_through(session: Session, *, writer: bool = True) -> int | None:
    """The greatest closed year (every year up to it is closed), or None.

    ``writer``: the caller is about to write for a year it checks against this answer, so,
    on PostgreSQL, take the shared lock first (held to the end of the transaction)."""
    if writer and is_postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock_shared(:key)"), {"key": PURGE_LOCK})
    found = session.scalar(select(func.max(PurgedYear.year)))
    return None if found is None else int(found)


def check_year_open(session: Session, year: int) -> None:
    """Raise YearPurged if the year is closed; the caller writes for it next."""
    through = closed_through(session)
    if through is not None and year <= through:
        raise YearPurged(year)


def lock_out_writers(session: Session) -> None:
    """Take the purge's exclusive lock for this transaction: writers wait (PostgreSQL)."""
    if is_postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PURGE_LOCK})
