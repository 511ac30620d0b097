"""The recomputation of a year from the event log, as SQL generated from the figure rules.

The database groups the year's events (minus retractions and their targets) per
(structure, region, youth) into the set of facts of ``shared.figures.FACTS``
present (a bitmask, ``bit_or`` of each event's fact bit) and the count of each
EVENT_COUNTS fact; the region and national levels merge those rows (OR of the
masks, sum of the counts); each level is then grouped by mask (*pattern*), which
leaves a few hundred rows per scope at most, and ``figures_of_patterns`` turns
them into figures. The SQL is generated from ``fact_of`` over the event schema's
types, so the figure rules keep their one definition in shared/figures.py.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from functools import cache

from sqlalchemy import Connection, text

from shared.events import EVENT_TYPES, EXIT_REASONS, OUTCOME_KINDS
from shared.figures import EVENT_COUNTS, FACT_INDEX, FACTS, fact_of, figures_of_patterns
from shared.scopes import NATIONAL, scope_key

Progress = Callable[[float], None]


def _sql_literal(value: str) -> str:
    assert "'" not in value  # values come from the event schema's literals
    return f"'{value}'"


def _fact_combos() -> list[tuple[str, str | None, str | None, str]]:
    """Every (type, outcome, exit_reason) an event can have, with its fact (from fact_of)."""
    combos = []
    for event_type in EVENT_TYPES:
        if event_type == "retraction":
            continue
        outcomes: Iterable[str | None] = OUTCOME_KINDS if event_type == "outcome" else (None,)
        exits: Iterable[str | None] = EXIT_REASONS if event_type == "civis_exit" else (None,)
        for outcome, exit_reason in itertools.product(outcomes, exits):
            combos.append(
                (event_type, outcome, exit_reason, fact_of(event_type, outcome, exit_reason))
            )
    missing = set(FACTS) - {combo[3] for combo in combos}
    assert not missing, f"no event gives the facts {missing}"
    return combos


def fact_conditions() -> dict[str, str]:
    """For each fact, the SQL condition on an event row ``e`` that gives it."""
    conditions: dict[str, list[str]] = {fact: [] for fact in FACTS}
    for event_type, outcome, exit_reason, fact in _fact_combos():
        condition = f"e.type = {_sql_literal(event_type)}"
        if outcome is not None:
            condition += f" AND e.outcome = {_sql_literal(outcome)}"
        if exit_reason is not None:
            condition += f" AND e.exit_reason = {_sql_literal(exit_reason)}"
        conditions[fact].append(f"({condition})")
    return {fact: " OR ".join(parts) for fact, parts in conditions.items()}


def fact_bit_expression() -> str:
    """SQL giving an event row ``e`` the bit of its fact (``1 << FACTS.index(fact)``).

    One nested CASE on the type, then the outcome or exit reason, evaluated once
    per event: far cheaper at national scale than one condition per fact.
    """
    by_type: dict[str, list[tuple[str | None, str | None, str]]] = {}
    for event_type, outcome, exit_reason, fact in _fact_combos():
        by_type.setdefault(event_type, []).append((outcome, exit_reason, fact))
    branches = []
    for event_type, items in by_type.items():
        if len(items) == 1 and items[0][:2] == (None, None):
            value = str(1 << FACT_INDEX[items[0][2]])
        else:
            column = "e.outcome" if items[0][0] is not None else "e.exit_reason"
            inner = " ".join(
                f"WHEN {_sql_literal(outcome or exit_reason or '')} THEN {1 << FACT_INDEX[fact]}"
                for outcome, exit_reason, fact in items
            )
            value = f"CASE {column} {inner} ELSE 0 END"
        branches.append(f"WHEN {_sql_literal(event_type)} THEN {value}")
    return f"CASE e.type {' '.join(branches)} ELSE 0 END"


@cache
def facts_of_mask(mask: int) -> tuple[int, ...]:
    """The presence (0/1) of each fact of FACTS in a bitmask of facts."""
    return tuple((mask >> i) & 1 for i in range(len(FACTS)))


_COUNTED_FACTS: tuple[str, ...] = tuple(dict.fromkeys(EVENT_COUNTS.values()))
_N = [f"n{i}" for i in range(len(_COUNTED_FACTS))]  # event-count columns
TEMP_TABLE = "consolidation_youths"


def _youths_statement(year: int) -> str:
    """Per (structure, region, youth) of the year: the bitmask of its facts, counts of some."""
    conditions = fact_conditions()
    counts = [
        f"SUM(CASE WHEN {conditions[fact]} THEN 1 ELSE 0 END) AS {column}"
        for fact, column in zip(_COUNTED_FACTS, _N, strict=True)
    ]
    int(year)  # inlined below: CREATE TABLE AS takes no bound parameters on every driver
    return (
        f"CREATE TEMPORARY TABLE {TEMP_TABLE} AS "
        f"SELECT e.structure_id AS structure_id, e.region AS region, e.youth_id AS youth_id, "
        f"bit_or({fact_bit_expression()}) AS mask, {', '.join(counts)} "
        f"FROM events e "
        f"WHERE e.occurred_on >= '{year:04d}-01-01' AND e.occurred_on <= '{year:04d}-12-31' "
        f"AND e.type <> 'retraction' "
        # A retraction removes its target whatever the arrival order (SPEC §3.2); the few
        # retracted ids make a hashed subplan, the index ix_events_retracts finds them.
        f"AND e.event_id NOT IN (SELECT r.retracts FROM events r WHERE r.retracts IS NOT NULL) "
        f"GROUP BY e.structure_id, e.region, e.youth_id"
    )


def _patterns_statement(level: str) -> str:
    """Youths of each scope of a level, grouped by the bitmask of their facts."""
    counts = ", ".join(_N)
    if level == "structure":
        source = f"SELECT structure_id AS scope_id, mask, {counts} FROM {TEMP_TABLE}"
    else:
        # A youth met by several structures of a scope: facts present in any, counts added.
        merged = ", ".join(["bit_or(mask) AS mask"] + [f"SUM({n}) AS {n}" for n in _N])
        if level == "region":
            source = (
                f"SELECT region AS scope_id, youth_id, {merged} FROM {TEMP_TABLE} "
                f"GROUP BY region, youth_id"
            )
        else:
            source = (
                f"SELECT '' AS scope_id, youth_id, {merged} FROM {TEMP_TABLE} GROUP BY youth_id"
            )
    sums = ", ".join(f"SUM({n})" for n in _N)
    return f"SELECT scope_id, mask, COUNT(*), {sums} FROM ({source}) youths GROUP BY scope_id, mask"


def _scope_of(level: str, scope_id: str) -> str:
    return NATIONAL if level == "national" else scope_key(level, scope_id)  # type: ignore[arg-type]


class _BitOr:
    """``bit_or`` for SQLite, which has no such aggregate (PostgreSQL has it built in)."""

    def __init__(self) -> None:
        self.value = 0

    def step(self, value: int | None) -> None:
        if value is not None:
            self.value |= value

    def finalize(self) -> int:
        return self.value


def _prepare(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        driver = connection.connection.driver_connection
        assert driver is not None  # a live connection
        driver.create_aggregate("bit_or", 1, _BitOr)
    else:
        # Hash aggregates of a national year in memory rather than in spill files; local
        # to the snapshot transaction.
        connection.execute(text("SET LOCAL work_mem = '256MB'"))


def recompute_year(
    connection: Connection, year: int, progress: Progress | None = None
) -> dict[str, dict[str, int]]:
    """COUNTED totals of every scope (national, each region, each structure) of the year.

    Runs in the caller's transaction, whose snapshot it reads.
    """
    report = progress or (lambda _: None)
    _prepare(connection)
    connection.execute(text(f"DROP TABLE IF EXISTS {TEMP_TABLE}"))
    connection.execute(text(_youths_statement(year)))
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"ANALYZE {TEMP_TABLE}"))
    report(0.55)
    result: dict[str, dict[str, int]] = {}
    for level, done in (("structure", 0.65), ("region", 0.75), ("national", 0.85)):
        patterns: dict[str, list[tuple[tuple[int, ...], int, dict[str, int]]]] = {}
        for row in connection.execute(text(_patterns_statement(level))):
            counts = {
                fact: int(value or 0) for fact, value in zip(_COUNTED_FACTS, row[3:], strict=True)
            }
            patterns.setdefault(_scope_of(level, row[0]), []).append(
                (facts_of_mask(int(row[1])), int(row[2]), counts)
            )
        for scope, items in patterns.items():
            result[scope] = figures_of_patterns(items)
        report(done)
    connection.execute(text(f"DROP TABLE {TEMP_TABLE}"))
    return result
