"""The SQL of the recomputation (shared/pipeline/recompute.py), generated from ``fact_of``
over the event schema's types and from ``shared.pipeline.retractions.matched_sql``, so that the
rules keep their one definition.

The year's counted events are first grouped per (structure, region, youth[, month]) into a
temporary table (``youths_statement``); each ``*_patterns`` statement then reads it back, one
level of scopes at a time, as rows of youths grouped by the bitmask of their facts.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable

from sqlalchemy import Connection

from shared.events import EVENT_TYPES, EXIT_REASONS, OUTCOME_KINDS
from shared.figures import EVENT_COUNT_INDEX, EVENT_COUNTS, FACT_INDEX, FACTS, fact_of
from shared.pipeline.retractions import matched_sql

TEMP_TABLE = "recomputed_youths"
GROUP = "group"


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


def fact_bit_expression(event: str = "e") -> str:
    """SQL giving an event row (alias ``event``) the bit of its fact (``1 << FACTS.index(fact)``).

    One nested CASE on the type, then the outcome or exit reason, evaluated once
    per event: far cheaper at national scale than one condition per fact.
    """
    return _fact_case(event, lambda fact: 1 << FACT_INDEX[fact], "0")


def fact_index_expression(event: str = "e") -> str:
    """SQL giving an event row (alias ``event``) the index of its fact in FACTS (NULL for a
    retraction)."""
    return _fact_case(event, lambda fact: FACT_INDEX[fact], "NULL")


def _fact_case(event: str, value_of: Callable[[str], int], otherwise: str) -> str:
    by_type: dict[str, list[tuple[str | None, str | None, str]]] = {}
    for event_type, outcome, exit_reason, fact in _fact_combos():
        by_type.setdefault(event_type, []).append((outcome, exit_reason, fact))
    branches = []
    for event_type, items in by_type.items():
        if len(items) == 1 and items[0][:2] == (None, None):
            value = str(value_of(items[0][2]))
        else:
            column = f"{event}.outcome" if items[0][0] is not None else f"{event}.exit_reason"
            inner = " ".join(
                f"WHEN {_sql_literal(outcome or exit_reason or '')} THEN {value_of(fact)}"
                for outcome, exit_reason, fact in items
            )
            value = f"CASE {column} {inner} ELSE {otherwise} END"
        branches.append(f"WHEN {_sql_literal(event_type)} THEN {value}")
    return f"CASE {event}.type {' '.join(branches)} ELSE {otherwise} END"


# The EVENT_COUNTS facts are single event types (``interviews`` counts ``interview``).
_COUNTED_FACTS: tuple[str, ...] = tuple(dict.fromkeys(EVENT_COUNTS.values()))
_N = [f"n{i}" for i in range(len(_COUNTED_FACTS))]
COUNT_INDEXES: tuple[int, ...] = tuple(EVENT_COUNT_INDEX[fact] for fact in _COUNTED_FACTS)
# A youth's rows merged (its facts OR-ed, its counts summed), and rows of youths summed.
_MERGED = ", ".join(["bit_or(mask) AS mask"] + [f"SUM({n}) AS {n}" for n in _N])
_SUMS = ", ".join(f"SUM({n})" for n in _N)
assert all(fact in EVENT_TYPES for fact in _COUNTED_FACTS)


def _month(connection: Connection) -> str:
    if connection.dialect.name == "postgresql":
        return "CAST(EXTRACT(MONTH FROM e.occurred_on) AS INTEGER)"
    return "CAST(strftime('%m', e.occurred_on) AS INTEGER)"


def youths_statement(connection: Connection, year: int, months: bool, applied: bool) -> str:
    """Per (structure, region, youth[, month]) of the year: the bitmask of its facts and
    the count of each EVENT_COUNTS fact, over the counted events."""
    counts = [
        f"SUM(CASE WHEN e.type = {_sql_literal(fact)} THEN 1 ELSE 0 END) AS {column}"
        for fact, column in zip(_COUNTED_FACTS, _N, strict=True)
    ]
    month = f"{_month(connection)} AS month, " if months else ""
    grouped = "e.structure_id, e.region, e.youth_id" + (", month" if months else "")
    of_applied = "JOIN batches {b} ON {b}.batch_id = {t}.batch_id AND {b}.applied_at IS NOT NULL"
    int(year)  # inlined below: CREATE TABLE AS takes no bound parameters on every driver
    return (
        f"CREATE TEMPORARY TABLE {TEMP_TABLE} AS "
        f"SELECT e.structure_id AS structure_id, e.region AS region, e.youth_id AS youth_id, "
        f"{month}bit_or({fact_bit_expression()}) AS mask, {', '.join(counts)} "
        f"FROM events e {of_applied.format(b='b', t='e') if applied else ''} "
        f"WHERE e.occurred_on >= '{year:04d}-01-01' AND e.occurred_on <= '{year:04d}-12-31' "
        f"AND e.type <> 'retraction' "
        f"AND NOT EXISTS (SELECT 1 FROM retractions r "
        f"{of_applied.format(b='rb', t='r') if applied else ''} "
        f"WHERE r.target_id = e.event_id AND {matched_sql('r', 'e')}) "
        f"GROUP BY {grouped}"
    )


def structure_patterns(months: bool, region: str) -> str:
    """The youths of each structure (of the year), grouped by the bitmask of their facts.

    Without months the rows are per (structure, region, youth): one per (structure,
    youth) unless the structure changed region during the year. Only such *moved*
    structures (normally none) need their youths' rows merged first; with months, all.
    """
    select = f"SELECT 'structure', NULL, structure_id, mask, COUNT(*), {_SUMS} FROM"
    per_youth = "GROUP BY structure_id, youth_id) y GROUP BY structure_id, mask"
    if months:
        return f"{select} (SELECT structure_id, {_MERGED} FROM {TEMP_TABLE} {per_youth}"
    return (
        f"WITH moved AS MATERIALIZED (SELECT structure_id FROM {TEMP_TABLE} "
        f"GROUP BY structure_id HAVING MIN({region}) <> MAX({region})) "
        f"{select} {TEMP_TABLE} WHERE structure_id NOT IN (SELECT structure_id FROM moved) "
        f"GROUP BY structure_id, mask "
        f"UNION ALL {select} (SELECT structure_id, {_MERGED} FROM {TEMP_TABLE} "
        f"WHERE structure_id IN (SELECT structure_id FROM moved) {per_youth}"
    )


def national_and_region_patterns(months: bool, region: str) -> str:
    """The youths of the nation and of each region (per year, or per month), grouped by
    the bitmask of their facts.

    One grouping per youth gives its national mask and, for a youth met in one region
    only (nearly all), its region mask too; only the youths met in several regions are
    merged per region again. Two full groupings of the year become one.
    """
    month = "month, " if months else ""
    kept = "NULL" if not months else "month"
    several = f"({month}youth_id) IN (SELECT {month}youth_id FROM y WHERE r1 <> r2)"
    return (
        f"WITH y AS MATERIALIZED (SELECT {month}youth_id, {_MERGED}, "
        f"MIN({region}) AS r1, MAX({region}) AS r2 FROM {TEMP_TABLE} GROUP BY {month}youth_id) "
        f"SELECT 'national', {kept}, NULL, mask, COUNT(*), {_SUMS} FROM y "
        f"GROUP BY {month}mask "
        f"UNION ALL SELECT 'region', {kept}, r1, mask, COUNT(*), {_SUMS} FROM y WHERE r1 = r2 "
        f"GROUP BY {month}r1, mask "
        f"UNION ALL SELECT 'region', {kept}, region, mask, COUNT(*), {_SUMS} FROM "
        f"(SELECT {month}region, youth_id, {_MERGED} FROM {TEMP_TABLE} WHERE {several} "
        f"GROUP BY {month}region, youth_id) m "
        f"GROUP BY {month}region, mask"
    )


def structure_month_patterns() -> str:
    """The youths of each structure in each month, grouped by the bitmask of their facts
    (a structure that changed region during the month has two rows of a youth: merged)."""
    return (
        f"SELECT 'structure', month, structure_id, mask, COUNT(*), {_SUMS} FROM "
        f"(SELECT structure_id, month, {_MERGED} FROM {TEMP_TABLE} "
        f"GROUP BY structure_id, month, youth_id) y GROUP BY structure_id, month, mask"
    )


def increment_patterns(level: str, scope_id: str) -> str:
    """The increment cells of the year to date of one level (``scope_id``: the column naming
    the scope, NULL nationally): per (scope, month), the youths grouped by their facts
    cumulated from January before that month and through it — ``bit_or`` as a running
    window over the months, and the one before by ``LAG`` — with the month's events.

    A youth whose cumulated facts do not change in a month adds nothing but its events
    there; ``recompute_year`` adds figures(through) − figures(before) of each group.
    """
    group = "youth_id" if scope_id == "NULL" else f"{scope_id}, youth_id"
    return (
        f"WITH m AS (SELECT {scope_id} AS scope_id, youth_id, month, {_MERGED} "
        f"FROM {TEMP_TABLE} GROUP BY {group}, month), "
        f"c AS (SELECT scope_id, youth_id, month, {', '.join(_N)}, "
        f"bit_or(mask) OVER (PARTITION BY scope_id, youth_id ORDER BY month) AS cumulated "
        f"FROM m) "
        f"SELECT '{level}', month, scope_id, cumulated, before, COUNT(*), {_SUMS} FROM "
        f"(SELECT scope_id, month, {', '.join(_N)}, cumulated, COALESCE(LAG(cumulated) "
        f"OVER (PARTITION BY scope_id, youth_id ORDER BY month), 0) AS before FROM c) x "
        f"GROUP BY scope_id, month, cumulated, before"
    )


def group_patterns(name: str) -> str:
    """The youths of a group of structures (``:ids``) merged per youth — a youth met at two
    of them counts once, as in a region — and grouped by the bitmask of their facts."""
    return (
        f"SELECT '{GROUP}', NULL, {_sql_literal(name)}, mask, COUNT(*), {_SUMS} FROM "
        f"(SELECT youth_id, {_MERGED} FROM {TEMP_TABLE} WHERE structure_id IN :ids "
        f"GROUP BY youth_id) g GROUP BY mask"
    )
