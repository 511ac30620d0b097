"""The purge the workers make by themselves (``BILAN_RETENTION_YEARS``, docs/operations.md,
"Personal data"): the years kept that many full years after their end are purged as soon as
they are eligible — the same purge as ``bilan purge --through Y`` (shared/retention/purge.py),
never forcing a blocked year.

A purge closes every year up to the one it is given (shared/retention/closure.py), so the
purge goes through the longest run of eligible years from the oldest: a blocked year (an
event pending, no report made after its last event…) holds back the later ones too, until an
operator settles it; it is logged each time it is found, with its reasons.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from shared.audit.actions import WORKERS
from shared.retention.eligibility import PURGED, year_states
from shared.retention.purge import Progress, PurgeRefused, YearPurge, purge_through
from shared.times import paris_today

log = logging.getLogger(__name__)


def expired_through(today: dt.date, retention_years: int) -> int:
    """The last year kept ``retention_years`` full years after its end, on ``today``: with 2,
    on any day of 2026, 2023 (2024 and 2025 are the two full years since)."""
    return today.year - retention_years - 1


def purgeable_through(session: Session, limit: int) -> int | None:
    """The greatest year up to ``limit`` such that every year up to it is purged or eligible,
    if a year up to it still has records to delete (or a purge to finish); else None. Logs
    the year that holds the others back."""
    through = None
    to_do = False
    for state in year_states(session, limit):
        if state.state != PURGED and state.blockers:
            log.warning(
                "retention: %s is due for purging but blocked: %s",
                state.year,
                "; ".join(state.blockers),
            )
            break
        through = state.year
        to_do = to_do or state.state != PURGED
    return through if to_do else None


def purge_expired(
    engine: Engine,
    retention_years: int,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> list[YearPurge]:
    """Purge the expired years that may be: what ``purgeable_through`` finds, through
    ``purge_through``; nothing if none. A year that became blocked since (an event just
    recorded) refuses the purge, which then deletes nothing and waits for the next check."""
    limit = expired_through(today or paris_today(), retention_years)
    with Session(engine) as session:
        through = purgeable_through(session, limit)
    if through is None:
        return []
    try:
        return purge_through(engine, through, progress, actor=WORKERS)
    except PurgeRefused as exc:
        log.warning("retention: purge through %s refused: %s", through, exc)
        return []
