"""The profile cells (SPEC §4.2) recomputed from the log, with none of the live counters'
machinery: no ``youth_profiles``, no codes, no moves.

A youth's profile is read straight from the log: of its counted first receptions carrying a
``youth`` object with a field, the earliest (day, then event id as bytes) — or, for a youth
whose first reception was purged with its year, the profile it gave, kept in
``retained_profiles`` (shared/retention/purge.py). Each youth of a
(year, scope) then counts in the category of that profile (age: reached in the year) with
``shared.figures.youth_figures`` of its facts there, as every figure of SPEC §4 does.

``recompute_profile_cells`` does it in Python over a few events (tests); ``recompute_profiles``
in the database for one year (``bilan verify``, the consolidation), in the caller's snapshot.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, text

from shared.figures import (
    COUNTED,
    EVENT_COUNT_INDEX,
    EVENT_COUNTS,
    FACT_INDEX,
    FACTS,
    fact_of,
    figures_of_mask,
    sum_youth_figures,
    with_derived,
)
from shared.pipeline.profile_tables import ProfileCell
from shared.pipeline.recompute import prepare_session
from shared.pipeline.recompute_sql import fact_bit_expression
from shared.pipeline.retractions import counted_events, matched_sql
from shared.profiles import DIMENSIONS, UNKNOWN, age_case_sql, age_category
from shared.scopes import NATIONAL, scope_key
from shared.storage.models.log import PROFILE_EVENTS

PROFILES_TABLE = "recomputed_profiles"
YOUTHS_TABLE = "recomputed_profile_youths"


def recompute_profile_cells(events: Iterable[Any]) -> dict[ProfileCell, dict[str, int]]:
    """The COUNTED figures of every profile cell of these events (records with the columns
    of the ``events`` table), retractions applied."""
    counted = counted_events(events)
    profile: dict[str, Any] = {}
    for e in counted:
        fields = (e.youth_sex, e.youth_birth_year, e.youth_education_level)
        if e.type == "first_reception" and any(f is not None for f in fields):
            known = profile.get(e.youth_id)
            if known is None or (e.occurred_on, e.event_id) < (known.occurred_on, known.event_id):
                profile[e.youth_id] = e
    facts: dict[tuple[int, str], dict[str, list[int]]] = defaultdict(
        lambda: defaultdict(lambda: [0] * len(FACTS))
    )
    for e in counted:
        fact = FACT_INDEX[fact_of(e.type, e.outcome, e.exit_reason)]
        for scope in (
            NATIONAL,
            scope_key("region", e.region),
            scope_key("structure", e.structure_id),
        ):
            facts[(e.occurred_on.year, scope)][e.youth_id][fact] += 1
    result: dict[ProfileCell, dict[str, int]] = {}
    for (year, scope), youths in facts.items():
        groups: dict[tuple[str, str], list[list[int]]] = defaultdict(list)
        for youth_id, youth_facts in youths.items():
            p = profile.get(youth_id)
            keys = {
                "sex": (p.youth_sex if p else None) or UNKNOWN,
                "age": age_category(year, p.youth_birth_year if p else None),
                "education_level": (p.youth_education_level if p else None) or UNKNOWN,
            }
            for dimension in DIMENSIONS:
                groups[(dimension, keys[dimension])].append(youth_facts)
        for (dimension, category), members in groups.items():
            result[(year, scope, dimension, category)] = sum_youth_figures(members)
    return result


# --- in the database ---------------------------------------------------------------------

_COUNTED_FACTS: tuple[str, ...] = tuple(dict.fromkeys(EVENT_COUNTS.values()))
_N = [f"n{i}" for i in range(len(_COUNTED_FACTS))]
_COUNT_INDEXES = tuple(EVENT_COUNT_INDEX[fact] for fact in _COUNTED_FACTS)


def _counted_where(applied: bool) -> tuple[str, str]:
    """The join keeping the events of applied batches (or nothing), and the condition that
    no retraction (of an applied batch) retracts event ``e``."""
    join = "JOIN batches {b} ON {b}.batch_id = {t}.batch_id AND {b}.applied_at IS NOT NULL"
    of_events = join.format(b="b", t="e") if applied else ""
    of_retractions = join.format(b="rb", t="r") if applied else ""
    not_retracted = (
        f"NOT EXISTS (SELECT 1 FROM retractions r {of_retractions} "
        f"WHERE r.target_id = e.event_id AND {matched_sql('r', 'e')})"
    )
    return of_events, not_retracted


def _statements(connection: Connection, year: int, applied: bool, youths: str) -> list[str]:
    """The temporary tables: the year's youths per (structure, region) with their facts
    (unless ``youths`` is already such a table), and the profile of each of them."""
    int(year)  # inlined: CREATE TABLE AS takes no bound parameters on every driver
    join, not_retracted = _counted_where(applied)
    counts = ", ".join(
        f"SUM(CASE WHEN e.type = '{fact}' THEN 1 ELSE 0 END) AS {column}"
        for fact, column in zip(_COUNTED_FACTS, _N, strict=True)
    )
    by_bytes = ' COLLATE "C"' if connection.dialect.name == "postgresql" else ""
    grouped = (
        []
        if youths != YOUTHS_TABLE
        else [
            f"CREATE TEMPORARY TABLE {YOUTHS_TABLE} AS "
            f"SELECT e.structure_id AS structure_id, e.region AS region, e.youth_id AS youth_id, "
            f"bit_or({fact_bit_expression()}) AS mask, {counts} FROM events e {join} "
            f"WHERE e.occurred_on >= '{year:04d}-01-01' AND e.occurred_on <= '{year:04d}-12-31' "
            f"AND e.type <> 'retraction' AND {not_retracted} "
            f"GROUP BY e.structure_id, e.region, e.youth_id"
        ]
    )
    columns = (
        "e.youth_id AS youth_id, e.youth_sex AS sex, e.youth_birth_year AS birth_year, "
        "e.youth_education_level AS education_level"
    )
    logged = f"FROM (SELECT * FROM events WHERE {PROFILE_EVENTS}) e {join} WHERE {not_retracted}"
    if by_bytes:
        # PostgreSQL: one sort, youth ids by bytes too (a quarter faster than by the locale).
        earliest = (
            f'(SELECT DISTINCT ON (e.youth_id COLLATE "C") {columns} {logged} '
            f"AND e.youth_id NOT IN (SELECT youth_id FROM retained_profiles) "
            f'ORDER BY e.youth_id COLLATE "C", e.occurred_on, e.event_id{by_bytes})'
        )
    else:
        earliest = (
            f"SELECT youth_id, sex, birth_year, education_level FROM (SELECT {columns}, "
            f"ROW_NUMBER() OVER (PARTITION BY e.youth_id ORDER BY e.occurred_on, e.event_id) "
            f"AS n {logged}) p "
            f"WHERE n = 1 AND youth_id NOT IN (SELECT youth_id FROM retained_profiles)"
        )
    return [
        *grouped,
        # A profile a purged first reception gave (retained_profiles, shared/retention/purge.py)
        # is the earliest: no event of a purged year is left or can come. The log's are every
        # youth's, not only the year's (the patterns' join picks theirs): restricting them to
        # the year's youths hashed those first, which cost more than the rows it spared
        # (docs/performance.md, "The profiles' cost").
        f"CREATE TEMPORARY TABLE {PROFILES_TABLE} AS "
        f"SELECT youth_id, sex, birth_year, education_level FROM retained_profiles "
        f"WHERE youth_id IN (SELECT youth_id FROM {youths}) UNION ALL {earliest}",
    ]


def _category_sql(dimension: str, year: int) -> str:
    if dimension == "age":
        return age_case_sql(year, "p.birth_year")
    return f"COALESCE(p.{dimension}, '{UNKNOWN}')"


def _patterns(year: int, youths: str, national_only: bool = False) -> list[str]:
    """The year's youths of every scope grouped, in each dimension, by their category and the
    bitmask of their facts, with their event counts: a statement per level, which merges the
    level's youths and joins them to their profile once for the three dimensions."""
    merged = ", ".join(["bit_or(mask) AS mask"] + [f"SUM({n}) AS {n}" for n in _N])
    sums = ", ".join(f"SUM(j.{n})" for n in _N)
    categories = ", ".join(
        f"{_category_sql(dimension, year)} AS c{i}" for i, dimension in enumerate(DIMENSIONS)
    )
    parts = []
    levels = (("national", None), ("region", "region"), ("structure", "structure_id"))
    for level, column in levels[:1] if national_only else levels:
        grouped = f"{column}, youth_id" if column else "youth_id"
        scope = f"j.{column}" if column else "NULL"
        youths_of_level = (
            f"(SELECT y.*, {categories} FROM "
            f"(SELECT {grouped}, {merged} FROM {youths} GROUP BY {grouped}) y "
            f"LEFT JOIN {PROFILES_TABLE} p ON p.youth_id = y.youth_id)"
        )
        parts.append(
            f"WITH j AS MATERIALIZED {youths_of_level} "
            + " UNION ALL ".join(
                f"SELECT '{dimension}', '{level}', {scope}, j.c{i}, j.mask, COUNT(*), {sums} "
                f"FROM j GROUP BY {scope + ', ' if column else ''}j.c{i}, j.mask"
                for i, dimension in enumerate(DIMENSIONS)
            )
        )
    return parts


def recompute_profiles(
    connection: Connection,
    year: int,
    *,
    applied_only: bool = False,
    national_only: bool = False,
    youths_table: str | None = None,
) -> dict[ProfileCell, dict[str, int]]:
    """Every profile cell of the year, every scope (or the nation's only), over every recorded
    event (or the events of applied batches). ``youths_table``: the table of the year's youths
    ``recompute_year`` kept over the same events, rather than grouping them again. Runs in
    the caller's transaction and snapshot."""
    prepare_session(connection)
    table_of_youths = youths_table or YOUTHS_TABLE
    own = (YOUTHS_TABLE, PROFILES_TABLE) if table_of_youths == YOUTHS_TABLE else (PROFILES_TABLE,)
    for table in own:
        connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
    for statement in _statements(connection, year, applied_only, table_of_youths):
        connection.execute(text(statement))
    totals_of: dict[ProfileCell, list[int]] = {}
    for statement in _patterns(year, table_of_youths, national_only):
        for dimension, level, scope_id, category, mask, youths, *sums in connection.execute(
            text(statement)
        ):
            scope = NATIONAL if level == "national" else scope_key(level, scope_id)
            cell = (year, scope, dimension, category)
            totals = totals_of.setdefault(cell, [0] * len(COUNTED))
            for index, value in figures_of_mask(int(mask)):
                totals[index] += value * youths
            for index, events in zip(_COUNT_INDEXES, sums, strict=True):
                totals[index] += int(events or 0)
    for table in own:
        connection.execute(text(f"DROP TABLE {table}"))
    return {cell: dict(zip(COUNTED, totals, strict=True)) for cell, totals in totals_of.items()}


def compare_profiles(
    live: dict[ProfileCell, dict[str, int]], recomputed: dict[ProfileCell, dict[str, int]]
) -> list[tuple[str, str, str, int, int]]:
    """The (period, scope and category, figure, live, recomputed) of each difference."""
    found = []
    for cell in sorted(live.keys() | recomputed.keys()):
        year, scope, dimension, category = cell
        mine, truth = live.get(cell, {}), recomputed.get(cell, {})
        for figure in COUNTED:
            a, b = mine.get(figure, 0), truth.get(figure, 0)
            if a != b:
                found.append((f"{year:04d}", f"{scope} {dimension}={category}", figure, a, b))
    return found


def national_profiles(
    cells: dict[ProfileCell, dict[str, int]], year: int
) -> dict[str, dict[str, dict[str, int | float]]]:
    """The nation's profile rows of a year (the report's ``profiles``, SPEC §5): every figure
    key of each category of each dimension, zeros included."""
    return {
        dimension: {
            key: with_derived(cells.get((year, NATIONAL, dimension, key), {})) for key in keys
        }
        for dimension, keys in DIMENSIONS.items()
    }
