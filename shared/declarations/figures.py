"""What the validated declarations give a consolidation (SPEC §4, second table), and how
far the declarations of a year are."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.declarations.fields import FUNDER_KEYS, FUNDING_KEYS
from shared.declarations.workflow import REJECTED, SUBMITTED, VALIDATED
from shared.models import Declaration
from shared.registry import active_structures

Figures = dict[str, int | float]


def declaration_figures(session: Session, year: int, youths_interviewed: int) -> Figures:
    """Staff and funding from the year's validated declarations."""
    columns = ["professionals"]
    columns += [f"funding_{k}" for k in FUNDING_KEYS] + [f"funder_{k}" for k in FUNDER_KEYS]
    table = Declaration.__table__
    row = session.execute(
        select(*(func.coalesce(func.sum(table.c[c]), 0) for c in columns)).where(
            Declaration.year == year, Declaration.status == VALIDATED
        )
    ).one()
    sums = {c: int(v) for c, v in zip(columns, row, strict=True)}
    return merge_declarations(sums, youths_interviewed)


def merge_declarations(sums: Mapping[str, int], youths_interviewed: int) -> Figures:
    """The declaration figures of SPEC §4 from the summed columns of the declarations."""
    total = sum(sums[f"funding_{k}"] for k in FUNDING_KEYS)
    funders = sum(sums[f"funder_{k}"] for k in FUNDER_KEYS)
    figures: Figures = {
        "professionals": sums["professionals"],
        "funding_total": total,
        **{f"funding_{k}": sums[f"funding_{k}"] for k in FUNDING_KEYS},
    }
    for key in FUNDER_KEYS:
        figures[f"funder_share_{key}"] = sums[f"funder_{key}"] / funders if funders else 0.0
    # Rounded half up, in integers: no float on the way for totals of hundreds of millions.
    figures["cost_per_youth"] = (
        (2 * total + youths_interviewed) // (2 * youths_interviewed) if youths_interviewed else 0
    )
    return figures


def validated_count(session: Session, year: int) -> int:
    """How many declarations of the year are validated."""
    return int(
        session.scalar(
            select(func.count()).where(Declaration.year == year, Declaration.status == VALIDATED)
        )
        or 0
    )


@dataclass(frozen=True)
class Completeness:
    """How far the declarations of a year are: structures active, and by status."""

    structures: int
    submitted: int
    validated: int
    rejected: int

    @property
    def missing(self) -> int:
        return max(self.structures - self.submitted - self.validated - self.rejected, 0)

    @property
    def validated_share(self) -> float:
        return self.validated / self.structures if self.structures else 0.0


def completeness(session: Session, year: int) -> Completeness:
    """The year's active structures and its declarations by status."""
    by_status = dict(
        session.execute(
            select(Declaration.status, func.count())
            .where(Declaration.year == year)
            .group_by(Declaration.status)
        ).all()
    )
    return Completeness(
        structures=len(active_structures(session, year)),
        submitted=int(by_status.get(SUBMITTED, 0)),
        validated=int(by_status.get(VALIDATED, 0)),
        rejected=int(by_status.get(REJECTED, 0)),
    )
