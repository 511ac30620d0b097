"""``bilan purge --through Y`` (SPEC §6, §7.6): delete the youth-level records of the years up
to Y, keeping every figure.

Two steps, each leaving a whole state behind:

1. **Close** (one short transaction, writers locked out: shared/retention/closure.py): check
   every year up to Y that has youth-level records (shared/retention/eligibility.py); if any is
   blocked, refuse and change nothing; else write a ``purging`` row for each of them and for Y.
   From this commit on, those years refuse events, declarations and consolidations, so nothing
   can make their frozen report stale any more.
2. **Purge** each closed year, oldest first, in *one transaction per year*: a purge killed
   halfway leaves that year with every record (its transaction rolled back) or none; running
   ``bilan purge`` again resumes with the years still ``purging``.

What a year's transaction deletes: its events (retractions included), its ``retractions``
rows, its ``youth_state`` rows, the retractions of later years that name one of its events
(never counted: a retraction retracts only an event of its own year, SPEC §3.2), and the
profile rows of its youths that no later year needs. What it keeps: ``figure_counts``,
``profile_counts``, the published cells, the reports — aggregates, untouched — and, for a
youth counted in a later year whose profile a first reception of the purged year gave, the
profile itself: its three fields move to ``retained_profiles`` (the recomputation's source,
as the log was), and ``youth_profiles`` keeps them with no event id and the purged year's last
day as their date — earlier than any event that can still arrive, as the first reception was.

The youths' rows are locked first, in key order, as every claim locks them
(shared/pipeline/counters.py): a claim applying a later event of one of them waits for the
purge, then reads the profile the purge left (or none, and creates it, exactly as the
recomputation will find it: no profile left in the log for that youth).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Result, and_, delete, exists, insert, select, update
from sqlalchemy.orm import Session

from shared.audit.actions import OPERATOR, PURGE, Actor, record_action
from shared.consolidation.jobs import year_has_ended
from shared.pipeline.checkpoints import reached
from shared.retention.closure import closed_through, lock_out_writers
from shared.retention.eligibility import CLOSED, NOT_ENDED, PURGED, in_year, year_states
from shared.storage.models.base import utcnow
from shared.storage.models.counters import YouthState
from shared.storage.models.log import EventRow, RetractionRow
from shared.storage.models.profiles import YouthProfileRow
from shared.storage.models.retention import PurgedYear, RetainedProfile

# The source of a profile kept from a purged first reception: never an event id (1–128 chars).
PURGED_SOURCE = ""
CHUNK = 5000

Progress = Callable[[str], None]


class PurgeRefused(Exception):
    """A purge that may not run: each blocked year with its reasons."""

    def __init__(self, blocked: dict[int, list[str]]) -> None:
        self.blocked = blocked
        super().__init__(
            "; ".join(f"{year}: {', '.join(reasons)}" for year, reasons in sorted(blocked.items()))
        )


@dataclass(frozen=True)
class YearPurge:
    year: int
    events: int
    youths: int
    kept_profiles: int


def close_years(engine: Engine, through: int, actor: Actor = OPERATOR) -> list[int]:
    """Step 1: close every year up to ``through`` with youth-level records; the closed years
    still to purge, oldest first, the purge in the audit log (by ``actor``). Raise
    PurgeRefused (nothing written) if any is blocked."""
    if not year_has_ended(through):
        raise PurgeRefused({through: [NOT_ENDED]})
    with Session(engine) as session, session.begin():
        lock_out_writers(session)
        states = year_states(session, through)
        blocked = {s.year: s.blockers for s in states if s.state != PURGED and s.blockers}
        if blocked:
            raise PurgeRefused(blocked)
        open_years = [s.year for s in states if s.state not in (PURGED, CLOSED)]
        known = set(session.scalars(select(PurgedYear.year)))
        before = closed_through(session, writer=False)
        now = utcnow()
        closing = sorted(set(open_years) | ({through} if (before or 0) < through else set()))
        for year in closing:
            if year not in known:
                session.add(PurgedYear(year=year, status=CLOSED, closed_at=now, events=0, youths=0))
        if closing:
            years = ", ".join(map(str, closing))
            record_action(session, actor, PURGE, f"through {through}", f"closed {years}")
        session.flush()
        return [
            int(y)
            for y in session.scalars(
                select(PurgedYear.year)
                .where(PurgedYear.status == CLOSED, PurgedYear.year <= through)
                .order_by(PurgedYear.year)
            )
        ]


def _count(result: Result[Any]) -> int:
    """The rows an INSERT or DELETE wrote."""
    return int(cast(CursorResult[Any], result).rowcount)


def _naming_retractions(year: int) -> Any:
    """The retractions of other years that name an event of ``year`` (inert: a retraction
    retracts only an event of its own year, SPEC §3.2) — they carry its id."""
    return select(RetractionRow.event_id, RetractionRow.year, RetractionRow.youth_id).where(
        RetractionRow.year != year,
        RetractionRow.target_id.in_(select(EventRow.event_id).where(in_year(year))),
    )


def _delete_naming_retractions(session: Session, year: int) -> None:
    """Delete the other years' retractions naming an event of ``year``, and the per-youth
    state they alone gave their (year, youth): a row of codes with no event left."""
    stale = session.execute(_naming_retractions(year)).all()
    for start in range(0, len(stale), CHUNK):
        chunk = [event_id for event_id, _, _ in stale[start : start + CHUNK]]
        session.execute(delete(EventRow).where(EventRow.event_id.in_(chunk)))
        session.execute(delete(RetractionRow).where(RetractionRow.event_id.in_(chunk)))
    by_year: dict[int, set[str]] = {}
    for _, other, youth_id in stale:
        by_year.setdefault(int(other), set()).add(youth_id)
    for other, youths in sorted(by_year.items()):
        wanted = sorted(youths)
        left = set(
            session.scalars(
                select(EventRow.youth_id)
                .where(in_year(other), EventRow.youth_id.in_(wanted))
                .distinct()
            )
        )
        orphans = [y for y in wanted if y not in left]
        if orphans:
            session.execute(
                delete(YouthState).where(YouthState.year == other, YouthState.youth_id.in_(orphans))
            )


def _settle_profiles(session: Session, year: int, youths: list[str]) -> int:
    """The profiles of ``youths`` (locked; at most CHUNK of them, a statement's parameters): kept,
    without their source, for those counted in a later year whose profile a first reception of
    ``year`` gave; deleted for those with no later year. The number kept."""
    last_day = dt.date(year, 12, 31)
    later = exists().where(YouthState.youth_id == YouthProfileRow.youth_id, YouthState.year > year)
    in_purge = YouthProfileRow.youth_id.in_(youths)
    from_purged_year = and_(
        YouthProfileRow.source_id.is_not(None),
        YouthProfileRow.source_id != PURGED_SOURCE,
        YouthProfileRow.source_on <= last_day,
    )
    retained = insert(RetainedProfile).from_select(
        ["youth_id", "sex", "birth_year", "education_level"],
        select(
            YouthProfileRow.youth_id,
            YouthProfileRow.sex,
            YouthProfileRow.birth_year,
            YouthProfileRow.education_level,
        ).where(in_purge, from_purged_year, later),
    )
    # RETURNING, not the rowcount: psycopg gives -1 for an INSERT … SELECT's rows.
    kept = len(session.execute(retained.returning(RetainedProfile.youth_id)).all())
    session.execute(
        update(YouthProfileRow)
        .where(in_purge, from_purged_year, later)
        .values(source_id=PURGED_SOURCE, source_on=last_day)
        .execution_options(synchronize_session=False)
    )
    gone = select(YouthProfileRow.youth_id).where(in_purge, ~later)
    session.execute(
        delete(RetainedProfile)
        .where(RetainedProfile.youth_id.in_(gone))
        .execution_options(synchronize_session=False)
    )
    session.execute(
        delete(YouthProfileRow).where(in_purge, ~later).execution_options(synchronize_session=False)
    )
    return kept


def purge_year(engine: Engine, year: int) -> YearPurge:
    """Step 2 for one closed year, in one transaction."""
    with Session(engine) as session, session.begin():
        # Two purges of one year (two workers' sweeps, a command beside them): the second
        # waits for the first's row, then finds the year purged and leaves its counts alone.
        status = session.scalar(
            select(PurgedYear.status).where(PurgedYear.year == year).with_for_update()
        )
        if status != CLOSED:
            return YearPurge(year, 0, 0, 0)
        naming = _naming_retractions(year).subquery()
        youths = (
            select(EventRow.youth_id)
            .where(in_year(year))
            .union(
                select(YouthState.youth_id).where(YouthState.year == year),
                select(naming.c.youth_id),
            )
        )
        # Lock the youths as claims do (key order), before reading what decides.
        locked = list(
            session.scalars(
                select(YouthProfileRow.youth_id)
                .where(YouthProfileRow.youth_id.in_(youths))
                .order_by(YouthProfileRow.youth_id)
                .with_for_update()
            )
        )
        _delete_naming_retractions(session, year)
        session.execute(delete(YouthState).where(YouthState.year == year))
        # In chunks: a national year has a million youths, more than a statement's parameters.
        kept = sum(
            _settle_profiles(session, year, locked[start : start + CHUNK])
            for start in range(0, len(locked), CHUNK)
        )
        session.execute(delete(RetractionRow).where(RetractionRow.year == year))
        events = _count(session.execute(delete(EventRow).where(in_year(year))))
        reached("purge:deleted")  # a test kills the process here: the year is rolled back
        session.execute(
            update(PurgedYear)
            .where(PurgedYear.year == year)
            .values(status=PURGED, purged_at=utcnow(), events=events, youths=len(locked))
        )
    return YearPurge(year, events, len(locked), kept)


def purge_through(
    engine: Engine, through: int, progress: Progress | None = None, actor: Actor = OPERATOR
) -> list[YearPurge]:
    """``bilan purge --through Y``: close, then purge each closed year (resuming any left
    ``purging`` by an interrupted run). Raise PurgeRefused if a year is blocked."""
    say = progress or (lambda _: None)
    years = close_years(engine, through, actor)
    say(f"closed: {', '.join(map(str, years)) or 'nothing to purge'}")
    done = []
    for year in years:
        say(f"{year}: purging")
        done.append(purge_year(engine, year))
        result = done[-1]
        say(
            f"{year}: purged ({result.events} events, {result.youths} youths, "
            f"{result.kept_profiles} profiles kept for later years)"
        )
    return done
