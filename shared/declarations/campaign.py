"""Where a year's declaration campaign stands: each active structure and its declaration,
each region's completeness, and a structure's last validated declaration.

The structures are those of the registry active in the year, in their region of today:
a validator's authority follows a structure that moves (shared/declarations/workflow.py),
so its regional page does too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from shared.declarations.figures import Completeness
from shared.declarations.workflow import REJECTED, SUBMITTED, VALIDATED
from shared.registry import active_during
from shared.storage.models.declarations import Declaration
from shared.storage.models.registry import Structure

# A structure without a declaration for the year: the fourth state of the campaign's tables.
NONE = "none"
CAMPAIGN_STATES: tuple[str, ...] = (NONE, SUBMITTED, VALIDATED, REJECTED)


@dataclass(frozen=True)
class StructureStatus:
    """An active structure of the year and where its declaration stands."""

    structure_id: str
    name: str
    kind: str
    region: str
    status: str  # one of CAMPAIGN_STATES
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    professionals: int | None
    funding_total: int | None


@dataclass(frozen=True)
class RegionProgress(Completeness):
    """A region's active structures, counted by the state of their declaration ("": the
    nation's)."""

    region: str = ""


def structure_statuses(
    session: Session, year: int, region: str | None = None
) -> list[StructureStatus]:
    """The year's active structures (of one region, if given) and their declarations, by id."""
    statement = (
        select(Structure, Declaration)
        .outerjoin(
            Declaration,
            and_(Declaration.structure_id == Structure.structure_id, Declaration.year == year),
        )
        .where(active_during(year))
        .order_by(Structure.structure_id)
    )
    if region is not None:
        statement = statement.where(Structure.region == region)
    return [
        StructureStatus(
            structure_id=structure.structure_id,
            name=structure.name,
            kind=structure.kind,
            region=structure.region,
            status=NONE if row is None else row.status,
            submitted_at=None if row is None else row.submitted_at,
            decided_at=None if row is None else row.decided_at,
            professionals=None if row is None else row.professionals,
            funding_total=None
            if row is None
            else row.funding_main + row.funding_specific + row.funding_managed_funds,
        )
        for structure, row in session.execute(statement)
    ]


def progress_of(region: str, statuses: list[StructureStatus]) -> RegionProgress:
    """The counts of one region's (or the nation's) structures by state."""
    return RegionProgress(
        region=region,
        structures=len(statuses),
        submitted=sum(1 for s in statuses if s.status == SUBMITTED),
        validated=sum(1 for s in statuses if s.status == VALIDATED),
        rejected=sum(1 for s in statuses if s.status == REJECTED),
    )


def region_progress(session: Session, year: int, regions: list[str]) -> list[RegionProgress]:
    """Each of ``regions`` with its counts, in that order (a region without structures: zeros)."""
    by_region: dict[str, list[StructureStatus]] = {code: [] for code in regions}
    for status in structure_statuses(session, year):
        by_region.setdefault(status.region, []).append(status)
    return [progress_of(code, by_region[code]) for code in regions]


def total_of(progress: list[RegionProgress]) -> RegionProgress:
    """The nation's counts: its regions' summed (a structure is in one region)."""
    return RegionProgress(
        region="",
        structures=sum(p.structures for p in progress),
        submitted=sum(p.submitted for p in progress),
        validated=sum(p.validated for p in progress),
        rejected=sum(p.rejected for p in progress),
    )


def last_validated(session: Session, year: int, structure_id: str) -> Declaration | None:
    """The structure's latest validated declaration of a year before ``year``: the starting
    point offered for a new one."""
    return session.scalar(
        select(Declaration)
        .where(
            Declaration.structure_id == structure_id,
            Declaration.year < year,
            Declaration.status == VALIDATED,
        )
        .order_by(Declaration.year.desc())
        .limit(1)
    )
