"""Which years a purge may delete, and what blocks the others (SPEC §6).

A year with youth-level records may be purged once its frozen report says all that will ever
be said of it: no event of the year is pending, its latest report was made after its last
event and its last declaration change, no consolidation of it is queued or running — and,
checked here besides, the report's national figures and profile rows equal the live ones (so
that ``bilan verify`` of the purged year, which compares them, holds from the first day). A
year's state (live, frozen, closed, purged) and its blockers are what the operator sees.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import msgspec
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from shared.consolidation.jobs import ACTIVE, year_has_ended
from shared.figures import COUNTED
from shared.pipeline.profile_tables import read_profile_cells
from shared.profiles import DIMENSIONS
from shared.scopes import NATIONAL, year_period
from shared.storage.models.consolidation import Consolidation, Report
from shared.storage.models.counters import FigureCounts, YouthState
from shared.storage.models.declarations import DeclarationAudit
from shared.storage.models.log import Batch, EventRow
from shared.storage.models.retention import PurgedYear
from shared.times import as_utc

LIVE, FROZEN, CLOSED, PURGED = "live", "frozen", "purging", "purged"
# What blocks a purge, as the command says it (the admin's page says it in French, by these
# beginnings: services/web/yearend/retention_page.py); some go on with the report's version.
NOT_ENDED = "the year has not ended"
PENDING = "events of the year are pending"
ACTIVE_JOB = "a consolidation of the year is queued or running"
NO_REPORT = "the year has no frozen report"
EVENT_AFTER = "an event was recorded after its latest report"
DECLARATION_AFTER = "a declaration changed after its latest report"
DIFFERS = "the live figures differ from its latest report"
BLOCKERS = (NOT_ENDED, PENDING, ACTIVE_JOB, NO_REPORT, EVENT_AFTER, DECLARATION_AFTER, DIFFERS)


def in_year(year: int) -> Any:
    """The events of the year (by ``occurred_on``, SPEC §3)."""
    return EventRow.occurred_on.between(dt.date(year, 1, 1), dt.date(year, 12, 31))


@dataclass
class YearState:
    """A year as the purge sees it: its state and, unless purged, what blocks its purge."""

    year: int
    state: str
    report_version: int | None = None
    blockers: list[str] = field(default_factory=list)


def years_with_records(session: Session) -> set[int]:
    """The years that hold youth-level records: events in the log, or per-youth state."""
    if session.get_bind().dialect.name == "postgresql":
        year = func.cast(func.extract("year", EventRow.occurred_on), YouthState.year.type)
    else:
        year = func.cast(func.strftime("%Y", EventRow.occurred_on), YouthState.year.type)
    found = {int(y) for (y,) in session.execute(select(year).distinct())}
    found.update(int(y) for (y,) in session.execute(select(YouthState.year).distinct()))
    return found


def live_national(session: Session, year: int) -> dict[str, int]:
    """The year's live national figures (COUNTED)."""
    row = session.execute(
        select(*(FigureCounts.__table__.c[k] for k in COUNTED)).where(
            FigureCounts.period == year_period(year), FigureCounts.scope == NATIONAL
        )
    ).first()
    return (
        dict(zip(COUNTED, (int(v) for v in row), strict=True)) if row else dict.fromkeys(COUNTED, 0)
    )


def live_national_profiles(session: Session, year: int) -> dict[str, dict[str, dict[str, int]]]:
    """The year's live national profile cells, every category (zeros included)."""
    cells = read_profile_cells(session, [year])
    return {
        dimension: {
            key: {
                k: int(cells.get((year, NATIONAL, dimension, key), {}).get(k, 0)) for k in COUNTED
            }
            for key in keys
        }
        for dimension, keys in DIMENSIONS.items()
    }


def report_disagreements(
    session: Session, year: int, document: dict[str, Any]
) -> list[tuple[str, str, int, Any]]:
    """The (scope, figure, live, report) of each national figure and profile cell where the
    live counters differ from a frozen report (profile scopes as ``bilan verify`` names
    them: ``"national sex=F"``); empty when they agree."""
    found: list[tuple[str, str, int, Any]] = []
    figures = document.get("figures", {})
    for key, value in live_national(session, year).items():
        if figures.get(key) != value:
            found.append((NATIONAL, key, value, figures.get(key)))
    frozen = document.get("profiles") or {}
    for dimension, rows in live_national_profiles(session, year).items():
        for category, values in rows.items():
            in_report = frozen.get(dimension, {}).get(category, {})
            for key, value in values.items():
                if in_report.get(key) != value:
                    scope = f"{NATIONAL} {dimension}={category}"
                    found.append((scope, key, value, in_report.get(key)))
    return found


def year_blockers(session: Session, year: int) -> tuple[int | None, list[str]]:
    """(the latest report's version, what blocks the purge of the year: empty if nothing)."""
    blockers: list[str] = []
    if not year_has_ended(year):
        blockers.append(NOT_ENDED)
    pending = session.scalar(
        select(
            exists().where(
                in_year(year),
                EventRow.batch_id == Batch.batch_id,
                Batch.applied_at.is_(None),
            )
        )
    )
    if pending:
        blockers.append(PENDING)
    if session.scalar(
        select(exists().where(Consolidation.year == year, Consolidation.status.in_(ACTIVE)))
    ):
        blockers.append(ACTIVE_JOB)
    report = session.scalar(
        select(Report).where(Report.year == year).order_by(Report.version.desc()).limit(1)
    )
    if report is None:
        blockers.append(NO_REPORT)
        return None, blockers
    job = session.get(Consolidation, report.consolidation_id)
    # The snapshot is read after the job started: a report "made after" an event is one whose
    # job started after the event was recorded (consolidated_at, at the freeze, is later).
    made = as_utc(job.started_at if job is not None and job.started_at else report.consolidated_at)
    last_event = session.scalar(
        select(func.max(Batch.received_at)).where(
            Batch.batch_id.in_(select(EventRow.batch_id).where(in_year(year)).distinct())
        )
    )
    if last_event is not None and as_utc(last_event) >= made:
        blockers.append(f"{EVENT_AFTER} (version {report.version})")
    last_declaration = session.scalar(
        select(func.max(DeclarationAudit.at)).where(DeclarationAudit.year == year)
    )
    if last_declaration is not None and as_utc(last_declaration) >= made:
        blockers.append(f"{DECLARATION_AFTER} (version {report.version})")
    differences = report_disagreements(session, year, msgspec.json.decode(report.document))
    if differences:
        blockers.append(
            f"{DIFFERS} (version {report.version}): "
            + "; ".join(f"{s} {k}: live {a}, report {b}" for s, k, a, b in differences[:3])
        )
    return report.version, blockers


def year_states(session: Session, through: int | None = None) -> list[YearState]:
    """Every year with records, a report or a closure (up to ``through``), in order."""
    closed = {int(y): s for y, s in session.execute(select(PurgedYear.year, PurgedYear.status))}
    reported = {int(y) for (y,) in session.execute(select(Report.year).distinct())}
    records = years_with_records(session)
    states = []
    for year in sorted(closed.keys() | reported | records):
        if through is not None and year > through:
            continue
        if year in closed and closed[year] == PURGED:
            states.append(YearState(year, PURGED))
            continue
        version, blockers = year_blockers(session, year)
        state = CLOSED if year in closed else (FROZEN if version is not None else LIVE)
        if year not in records:
            blockers = []  # nothing to delete: nothing to wait for
        states.append(YearState(year, state, version, blockers))
    return states
