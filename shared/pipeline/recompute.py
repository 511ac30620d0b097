"""Figures recomputed from scratch over the event log, with the same definitions as the
live counters (shared/figures.py, shared/pipeline/retractions.py) but none of their machinery.

``recompute_year`` lets the database do the work at national scale: the year's
counted events (retractions and what they retract left out) are grouped per
(structure, region, youth[, month]) into the bitmask of the facts of
``shared.figures.FACTS`` present (``bit_or`` of each event's fact bit) and the
count of each EVENT_COUNTS fact; each level merges those rows per youth (OR of
the masks, sum of the counts) and groups youths by mask (*pattern*), which leaves
a few hundred rows per scope; ``figures_of_mask`` turns them into figures.
The SQL is generated from ``fact_of`` over the event schema's types and from
``shared.pipeline.retractions.matched_sql``, so the rules keep their one definition
(shared/pipeline/recompute_sql.py).

The consolidation recomputes the year cells of every recorded event, and the youths of
a *group* of structures (those whose declaration is validated: the field of the funding
figures, SPEC §4) from the same table, in the same snapshot; ``bilan
verify`` recomputes every cell (months too) of the events of applied batches,
which the live counters must equal at every moment (shared/pipeline/counters.py).
``recompute_cells`` does the same in Python over a few events, for tests.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, Engine, String, bindparam, select, text
from sqlalchemy.orm import Session

from shared.figures import (
    COUNTED,
    FACT_INDEX,
    FACTS,
    fact_of,
    figures_of_mask,
    sum_youth_figures,
)
from shared.pipeline.recompute_sql import (
    COUNT_INDEXES,
    GROUP,
    TEMP_TABLE,
    group_patterns,
    increment_patterns,
    national_and_region_patterns,
    structure_month_patterns,
    structure_patterns,
    youths_statement,
)
from shared.pipeline.retractions import counted_events
from shared.scopes import (
    NATIONAL,
    Cell,
    counted_cells,
    increment_period,
    last_day,
    period_kind,
    scope_key,
)
from shared.storage.db import driver_connection
from shared.storage.models.log import EventRow

Progress = Callable[[float], None]


def group_scope(name: str) -> str:
    """The scope key of a group of structures in ``recompute_year``'s answer."""
    return f"{GROUP}:{name}"


def recompute_cells(events: Iterable[Any]) -> dict[Cell, dict[str, int]]:
    """COUNTED totals per (period, scope) of these events, retractions applied: the year and
    month cells, and the increment cells of the year to date.

    ``events`` are records with the columns of the ``events`` table. The increments are
    worked out here from SPEC §4.3 as it reads, with none of the live counters' cumulated
    masks: the figures of each scope's events from 1 January to the end of each month,
    minus those to the end of the month before.
    """
    counted = counted_events(events)
    result = _cell_figures(counted)
    result.update(_increments(counted))
    return result


def _cell_figures(counted: Iterable[Any], kind: str | None = None) -> dict[Cell, dict[str, int]]:
    """The figures of the cells (of ``counted_cells``; of that ``kind`` of period only, if
    given) of these counted events."""
    facts: dict[Cell, dict[str, list[int]]] = defaultdict(
        lambda: defaultdict(lambda: [0] * len(FACTS))
    )
    for e in counted:
        fact = FACT_INDEX[fact_of(e.type, e.outcome, e.exit_reason)]
        for cell in counted_cells(e.occurred_on, e.structure_id, e.region):
            if kind is None or period_kind(cell[0]) == kind:
                facts[cell][e.youth_id][fact] += 1
    return {cell: sum_youth_figures(youths.values()) for cell, youths in facts.items()}


def _increments(counted: list[Any]) -> dict[Cell, dict[str, int]]:
    """The increment cells of the year to date of these counted events, one per scope with
    an event in that month (as the live counters and the SQL have them)."""
    result: dict[Cell, dict[str, int]] = {}
    for year in sorted({e.occurred_on.year for e in counted}):
        before: dict[str, dict[str, int]] = {}
        for month in range(1, 13):
            so_far = [
                e
                for e in counted
                if e.occurred_on.year == year and e.occurred_on <= last_day(year, month)
            ]
            to_date = {scope: f for (_, scope), f in _cell_figures(so_far, "year").items()}
            active = {
                scope
                for e in so_far
                if e.occurred_on.month == month
                for period, scope in counted_cells(e.occurred_on, e.structure_id, e.region)
                if period_kind(period) == "month"
            }
            for scope in active:
                previous = before.get(scope, {})
                result[(increment_period(year, month), scope)] = {
                    key: to_date[scope][key] - previous.get(key, 0) for key in COUNTED
                }
            before = to_date
    return result


def recompute_from_log(session: Session) -> dict[Cell, dict[str, int]]:
    """Every cell of the whole log (for tests and small databases)."""
    return recompute_cells(session.execute(select(EventRow)).scalars())


# --- in the database ---------------------------------------------------------------------


class _BitOr:
    """``bit_or`` for SQLite, which has no such aggregate (PostgreSQL has it built in): an
    aggregate and a window function (the running OR of the year to date). Each bit keeps
    how many rows set it, so that a row can leave a sliding window."""

    def __init__(self) -> None:
        self.bits: dict[int, int] = {}

    def step(self, value: int | None) -> None:
        self._add(value, 1)

    def inverse(self, value: int | None) -> None:
        self._add(value, -1)

    def _add(self, value: int | None, sign: int) -> None:
        bit = 0
        while value:
            if value & 1:
                self.bits[bit] = self.bits.get(bit, 0) + sign
            value >>= 1
            bit += 1

    def value(self) -> int:
        return sum(1 << bit for bit, rows in self.bits.items() if rows)

    def finalize(self) -> int:
        return self.value()


def prepare_session(connection: Connection) -> None:
    """Ready a connection for the recomputation's statements: SQLite's ``bit_or``; on
    PostgreSQL, the memory and planner settings below."""
    if connection.dialect.name == "sqlite":
        driver_connection(connection).create_window_function("bit_or", 1, _BitOr)
    else:
        # Hash aggregates of a national year in memory rather than in spill files; no JIT:
        # compiling these expressions took longer (0.7 s) than it saved. Local to the
        # caller's transaction.
        connection.execute(text("SET LOCAL work_mem = '256MB'"))
        connection.execute(text("SET LOCAL jit = off"))


def refresh_statistics(engine: Engine) -> bool:
    """ANALYZE the log's tables when the planner knows too little of them; True if it did.

    The recomputation's plans (parallel scans, hashed aggregates) depend on knowing that
    a year holds millions of events. Autovacuum keeps these statistics fresh; where it is
    off, or has not run since a large load, this does its part (sampling: a fraction of
    a second for a national year), in a transaction of its own.
    """
    if engine.dialect.name != "postgresql":
        return False
    with engine.connect() as connection:
        stale = connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_user_tables WHERE relname IN "
                "('events', 'retractions', 'batches') AND (COALESCE(last_analyze, "
                "last_autoanalyze) IS NULL OR n_mod_since_analyze > 0.1 * n_live_tup + 1000)"
            )
        ).scalar()
        if not stale:
            return False
        connection.execute(text("ANALYZE events, retractions, batches"))
        connection.commit()
    return True


def recompute_year(
    connection: Connection,
    year: int,
    *,
    months: bool = False,
    applied_only: bool = False,
    progress: Progress | None = None,
    groups: Mapping[str, Collection[str]] | None = None,
    keep_youths: bool = False,
) -> dict[Cell, dict[str, int]]:
    """COUNTED totals of every cell of the year: (year, scope) for every scope, and with
    ``months`` the month cells and the increment cells of the year to date too (every
    scope); over every recorded event, or with ``applied_only`` over the events of applied
    batches. Each of ``groups`` (a name and its structure ids) adds the year cell of its
    youths, scope ``group_scope(name)`` (a group without youths: no cell). With
    ``keep_youths`` its table of the year's youths (TEMP_TABLE) stays, for
    ``recompute_profiles`` to read rather than group the events again. Runs in the caller's
    transaction and snapshot."""
    report = progress or (lambda _: None)
    prepare_session(connection)
    connection.execute(text(f"DROP TABLE IF EXISTS {TEMP_TABLE}"))
    connection.execute(text(youths_statement(connection, year, months, applied_only)))
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"ANALYZE {TEMP_TABLE}"))
    # Regions are compared byte by byte: a collation's rules only cost time here.
    region = 'region COLLATE "C"' if connection.dialect.name == "postgresql" else "region"
    # Each statement, and whether its rows are increments (with a second pattern).
    statements: list[tuple[Any, bool]] = [
        (text(national_and_region_patterns(False, region)), False),
        (text(structure_patterns(months, region)), False),
    ]
    if months:
        statements.append((text(national_and_region_patterns(True, region)), False))
        statements.append((text(structure_month_patterns()), False))
        statements.extend(
            (text(increment_patterns(level, column)), True)
            for level, column in (
                ("national", "NULL"),
                ("region", region),
                ("structure", "structure_id"),
            )
        )
    for name, ids in (groups or {}).items():
        # Typed: an empty list must still compare with the text column on PostgreSQL.
        ids_param = bindparam("ids", expanding=True, type_=String())
        statement = text(group_patterns(name)).bindparams(ids_param, ids=sorted(ids))
        statements.append((statement, False))
    report(0.5)
    # A national year gives some 150 000 (cell, pattern) rows: each is added to its cell
    # with the figures of one youth of that pattern (shared.figures.figures_of_mask); an
    # increment's row has two patterns, its youths' facts cumulated through the month and
    # before it, and adds the difference.
    periods: dict[tuple[Any, bool], str] = {(None, False): f"{year:04d}"}
    scopes: dict[tuple[str, Any], str] = {}
    totals_of: dict[Cell, list[int]] = {}
    for done, (statement, increments) in enumerate(statements, start=1):
        for level, month, scope_id, mask, *rest in connection.execute(statement):
            before = int(rest.pop(0)) if increments else 0
            youths, *sums = rest
            period = periods.get((month, increments))
            if period is None:
                period = periods[(month, increments)] = (
                    increment_period(year, int(month))
                    if increments
                    else f"{year:04d}-{int(month):02d}"
                )
            scope = scopes.get((level, scope_id))
            if scope is None:
                scope = scopes[(level, scope_id)] = (
                    NATIONAL
                    if level == "national"
                    else group_scope(scope_id)
                    if level == GROUP
                    else scope_key(level, scope_id)
                )
            totals = totals_of.get((period, scope))
            if totals is None:
                totals = totals_of[(period, scope)] = [0] * len(COUNTED)
            for index, value in figures_of_mask(int(mask)):
                totals[index] += value * youths
            for index, value in figures_of_mask(before):
                totals[index] -= value * youths
            for index, events in zip(COUNT_INDEXES, sums, strict=True):
                totals[index] += int(events or 0)
        report(0.5 + 0.45 * done / len(statements))
    result = {cell: dict(zip(COUNTED, totals, strict=True)) for cell, totals in totals_of.items()}
    if not keep_youths:
        connection.execute(text(f"DROP TABLE {TEMP_TABLE}"))
    return result
