"""The live figures as the web reads them: one cell, the cells of a breakdown, and how
many recorded events the counters do not hold yet (shared/counters.py keeps them)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, Table, and_, false, func, or_, select
from sqlalchemy.orm import Session

from shared.bulk import member_of
from shared.figures import COUNTED, with_derived
from shared.models import Batch, FigureCounts, table_of

Cell = tuple[str, str]  # (period, scope)
CHUNK = 5000


def pending_events(session: Session) -> int:
    """Events recorded but not yet applied to the counters (all years)."""
    return int(
        session.scalar(
            select(func.coalesce(func.sum(Batch.event_count), 0)).where(Batch.applied_at.is_(None))
        )
        or 0
    )


def read_counts(session: Session, period: str, scope: str) -> dict[str, int]:
    row = session.get(FigureCounts, (period, scope))
    if row is None:
        return dict.fromkeys(COUNTED, 0)
    return {key: getattr(row, key) for key in COUNTED}


def read_figures(session: Session, period: str, scope: str) -> dict[str, int | float]:
    """Every figure key of SPEC §4 (first table) for one period and scope."""
    return with_derived(read_counts(session, period, scope))


def read_cells(
    session: Session, periods: Sequence[str], scopes: Sequence[str]
) -> dict[Cell, dict[str, int | float]]:
    """The figures of every existing (period, scope) cell among these, for breakdowns."""
    result: dict[Cell, dict[str, int | float]] = {}
    for start in range(0, len(scopes), CHUNK):
        scope_chunk = scopes[start : start + CHUNK]
        rows = session.scalars(
            select(FigureCounts).where(
                FigureCounts.period.in_(periods),
                member_of(session, FigureCounts.scope, scope_chunk),
            )
        )
        for row in rows:
            result[(row.period, row.scope)] = with_derived(
                {key: getattr(row, key) for key in COUNTED}
            )
    return result


def cells_where(table: Table, cells: Iterable[Cell]) -> ColumnElement[bool]:
    """``(period, scope) IN cells`` for a table keyed so, grouped by period (a view asks for a
    few periods, each with its scopes): primary-key lookups in one statement."""
    by_period: dict[str, set[str]] = {}
    for period, scope in cells:
        by_period.setdefault(period, set()).add(scope)
    return or_(
        false(),
        *(
            and_(table.c.period == period, table.c.scope.in_(sorted(scopes)))
            for period, scopes in sorted(by_period.items())
        ),
    )


def read_live(session: Session, cells: Iterable[Cell]) -> dict[Cell, dict[str, int | float]]:
    """The figures of those of ``cells`` that exist (a missing one is all zeros)."""
    table = table_of(FigureCounts)
    statement = select(table.c.period, table.c.scope, *(table.c[key] for key in COUNTED))
    return {
        (row[0], row[1]): with_derived(dict(zip(COUNTED, row[2:], strict=True)))
        for row in session.execute(statement.where(cells_where(table, cells)))
    }
