"""The live figures as the web reads them: one cell, the cells of a breakdown, the year to
date, and how many recorded events the counters do not hold yet (shared/pipeline/counters.py keeps
them)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, Table, and_, false, func, or_, select
from sqlalchemy.orm import Session

from shared.figures import COUNTED, with_derived
from shared.scopes import (
    NATIONAL,
    Cell,
    increment_period,
    period_kind,
    to_date_period,
    to_date_through,
)
from shared.storage.bulk import member_of
from shared.storage.models.base import table_of
from shared.storage.models.counters import FigureCounts
from shared.storage.models.log import Batch

CHUNK = 5000


def pending_events(session: Session) -> int:
    """Events recorded but not yet applied to the counters (all years)."""
    return int(
        session.scalar(
            select(func.coalesce(func.sum(Batch.event_count), 0)).where(Batch.applied_at.is_(None))
        )
        or 0
    )


def years_with_data(session: Session) -> list[int]:
    """The years that have a youth in contact nationally: every year with a counted event."""
    periods = session.scalars(
        select(FigureCounts.period).where(
            FigureCounts.scope == NATIONAL,
            func.length(FigureCounts.period) == 4,
            FigureCounts.youths_in_contact > 0,
        )
    )
    return sorted(int(period) for period in periods)


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


def read_to_date(
    session: Session, through: Sequence[tuple[int, int]], scopes: Sequence[str]
) -> dict[Cell, dict[str, int | float]]:
    """The year to date (SPEC §4.3) of each scope, for each (year, last month) of
    ``through``: every figure key, keyed by (``to_date_period(year, month)``, scope).

    Each is the sum of the scope's increment cells of January to that month
    (shared/pipeline/codes.py): at most twelve rows per scope, never the event log.
    """
    wanted = {increment_period(year, m) for year, month in through for m in range(1, month + 1)}
    increments = {
        cell: {key: int(values[key]) for key in COUNTED}
        for cell, values in read_cells(session, sorted(wanted), scopes).items()
    }
    result: dict[Cell, dict[str, int | float]] = {}
    for year, month in through:
        periods = [increment_period(year, m) for m in range(1, month + 1)]
        for scope in scopes:
            totals = dict.fromkeys(COUNTED, 0)
            for period in periods:
                for key, value in increments.get((period, scope), {}).items():
                    totals[key] += value
            result[(to_date_period(year, month), scope)] = with_derived(totals)
    return result


def cells_where(table: Table, cells: Iterable[Cell]) -> ColumnElement[bool]:
    """``(period, scope) IN cells`` for a table keyed so, grouped by period (a dashboard asks
    for a few periods, each with its scopes): primary-key lookups in one statement."""
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
    """The figures of those of ``cells`` that exist (a missing one is all zeros), whatever
    their period: a year, a month, or a year to date (summed from its increments,
    ``read_to_date``)."""
    cells = list(cells)
    table = table_of(FigureCounts)
    statement = select(table.c.period, table.c.scope, *(table.c[key] for key in COUNTED))
    stored = [cell for cell in cells if period_kind(cell[0]) != "to_date"]
    result = {
        (row[0], row[1]): with_derived(dict(zip(COUNTED, row[2:], strict=True)))
        for row in session.execute(statement.where(cells_where(table, stored)))
    }
    by_through: dict[tuple[int, int], set[str]] = {}
    for period, scope in cells:
        if period_kind(period) == "to_date":
            by_through.setdefault(to_date_through(period), set()).add(scope)
    for through, scopes in sorted(by_through.items()):
        result.update(read_to_date(session, [through], sorted(scopes)))
    return result
