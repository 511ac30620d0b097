"""What the validated declarations give a consolidation (SPEC §4, second table), and how
far the declarations of a year are.

The *field* of the staff and funding figures ("le champ", ../shared/PUBLICATION.md) is the
validated declarations of the structures active in the year: their sums, their number
(the report's ``completeness``), and for ``cost_per_youth`` the distinct youths interviewed
at those structures — never the whole network's youths, so that both terms of the ratio
cover the same structures. A declaration only counts for a structure active in the year:
one validated before the registry's dates changed to exclude the year is out of the field.

A year's declarations are *complete* when every structure active in the year has a
validated one; a report frozen before that is provisional (``is_complete``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from shared.declarations.fields import FUNDER_KEYS, FUNDING_KEYS
from shared.declarations.workflow import REJECTED, SUBMITTED, VALIDATED
from shared.registry import active_during
from shared.storage.models.declarations import Declaration
from shared.storage.models.registry import Structure

Figures = dict[str, int | float | None]


def _of_active_structures(year: int) -> ColumnElement[bool]:
    """The year's declarations of structures active in it (joined with the registry)."""
    return and_(
        Declaration.year == year,
        Declaration.structure_id == Structure.structure_id,
        active_during(year),
    )


def validated_structures(session: Session, year: int) -> list[str]:
    """The structures active in the year whose declaration of the year is validated, by id:
    the field of the staff and funding figures."""
    return list(
        session.scalars(
            select(Declaration.structure_id)
            .where(_of_active_structures(year), Declaration.status == VALIDATED)
            .order_by(Declaration.structure_id)
        )
    )


def declaration_figures(session: Session, year: int, youths_interviewed: int) -> Figures:
    """Staff and funding from the year's validated declarations; ``youths_interviewed``:
    the distinct youths interviewed at their structures (shared/pipeline/recompute.py's group)."""
    columns = ["professionals"]
    columns += [f"funding_{k}" for k in FUNDING_KEYS] + [f"funder_{k}" for k in FUNDER_KEYS]
    table = Declaration.__table__
    row = session.execute(
        select(*(func.coalesce(func.sum(table.c[c]), 0) for c in columns)).where(
            _of_active_structures(year), Declaration.status == VALIDATED
        )
    ).one()
    sums = {c: int(v) for c, v in zip(columns, row, strict=True)}
    return merge_declarations(sums, youths_interviewed)


def merge_declarations(sums: Mapping[str, int], youths_interviewed: int) -> Figures:
    """The declaration figures of SPEC §4 from the summed columns of the declarations and
    the distinct youths interviewed at their structures. ``cost_per_youth`` is ``None`` when
    those structures interviewed nobody (or there are none)."""
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
        (2 * total + youths_interviewed) // (2 * youths_interviewed) if youths_interviewed else None
    )
    return figures


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

    @property
    def complete(self) -> bool:
        return is_complete(self.structures, self.validated)


def is_complete(structures: int, validated: int) -> bool:
    """Whether every active structure of the year has a validated declaration (none active:
    nothing to declare, nothing to publish either: not complete)."""
    return structures > 0 and validated >= structures


def completeness(session: Session, year: int) -> Completeness:
    """The year's active structures and their declarations by status."""
    by_status = dict(
        session.execute(
            select(Declaration.status, func.count())
            .where(_of_active_structures(year))
            .group_by(Declaration.status)
        ).all()
    )
    return Completeness(
        structures=int(
            session.scalar(select(func.count()).select_from(Structure).where(active_during(year)))
            or 0
        ),
        submitted=int(by_status.get(SUBMITTED, 0)),
        validated=int(by_status.get(VALIDATED, 0)),
        rejected=int(by_status.get(REJECTED, 0)),
    )
