"""The apply protocol of shared/pipeline/counters.py on PostgreSQL, set-based: a claim is
applied by a few statements over temporary tables instead of a loop over its events.

The steps, locks and decisions are the protocol's, unchanged; only where the work is done
moves. PostgreSQL computes each event's code (``shared.pipeline.codes.encode``, from
``fact_of`` through ``recompute_sql.fact_index_expression``), locks the youths and the
(year, youth) rows in key order while appending the codes, finds the profiles the claim's
first receptions give, and reduces every touched youth to its cells' fact masks. What comes
back to Python is small: the claim's retractions and what they aim at (step 3, decided by
``shared.pipeline.claims.decide`` as on SQLite), and, per cell, how many youths enter or
leave each mask — which ``Moves`` and ``ProfileMoves`` turn into figures with
``shared.figures.figures_of_mask``, the one definition.

A youth's move is written as the sum of its figures *after* the claim minus its figures
*before* (each side a row of ``apply_cells`` with its sign): what did not change cancels in
the sums, and a cell whose sum is zero is not returned. The year to date's increment cells
come from the same rows, the facts cumulated over the months by a running ``bit_or``.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy.orm import Session

from shared.figures import EVENT_COUNT_INDEX, FACT_INDEX, fact_of
from shared.pipeline.checkpoints import reached
from shared.pipeline.claims import Applied, decide
from shared.pipeline.codes import (
    FIRST_MONTH_CELL,
    ID_MASK,
    INCREMENT_FLAG,
    LEVEL_MASK,
    REGION_CODES,
    SCOPE_MASK,
    STRUCTURE_CELL,
    Moves,
    cells_sql,
    encode,
)
from shared.pipeline.counter_tables import (
    AppliedRetraction,
    ClaimedEvent,
    move_figures,
    structure_numbers,
)
from shared.pipeline.profile_tables import logged_profiles, move_profile_figures
from shared.pipeline.profiles import ProfileMoves
from shared.pipeline.recompute_sql import fact_index_expression
from shared.profiles import NO_PROFILE, Profile, category_index_sql
from shared.storage.db import driver_connection
from shared.storage.models.log import PROFILE_EVENTS

ClaimRow = namedtuple("ClaimRow", (*ClaimedEvent._fields, "code"))  # type: ignore[misc]
_COLUMNS = ", ".join(ClaimRow._fields)
# The EVENT_COUNTS facts' indexes, each counted in a column n0, n1… of apply_cells.
_COUNTED_FACTS = tuple(sorted(FACT_INDEX[fact] for fact in EVENT_COUNT_INDEX))
_N = [f"n{i}" for i in range(len(_COUNTED_FACTS))]

_CLAIM = (
    """
CREATE TEMPORARY TABLE apply_claim (
    event_id varchar, type varchar, occurred_on date, structure_id varchar, region varchar,
    youth_id varchar, outcome varchar, exit_reason varchar, retracts varchar,
    youth_sex varchar, youth_birth_year integer, youth_education_level varchar,
    code integer, year smallint
) ON COMMIT DROP
""",
    f"""
INSERT INTO apply_claim
SELECT e.event_id, e.type, e.occurred_on, e.structure_id, e.region, e.youth_id, e.outcome,
    e.exit_reason, e.retracts, e.youth_sex, e.youth_birth_year, e.youth_education_level,
    (n.number << 13) | ((array_position(%(regions)s::text[], e.region::text) - 1) << 8)
        | (EXTRACT(MONTH FROM e.occurred_on)::integer << 4) | ({fact_index_expression("e")}),
    EXTRACT(YEAR FROM e.occurred_on)::smallint
FROM events e LEFT JOIN structure_numbers n ON n.structure_id = e.structure_id
WHERE e.batch_id = ANY(%(batches)s)
""",
)

# Step 1: every youth of the claim, in key order, in one statement (a no-op update locks
# an existing row; a concurrent inserter of the same youth waits on the key).
_LOCK_YOUTHS = """
INSERT INTO youth_profiles (youth_id)
SELECT DISTINCT youth_id FROM apply_claim ORDER BY youth_id
ON CONFLICT (youth_id) DO UPDATE SET youth_id = EXCLUDED.youth_id
"""

# Step 2: every (year, youth) of the claim, retractions included, in key order, appending
# the codes: ``after`` is the row now, its first ``known`` codes were there before (unless
# step 4 takes codes out: ``before`` then keeps the row as it was).
_LOCK_AND_APPEND = (
    """
CREATE TEMPORARY TABLE apply_touched (
    year smallint, youth_id varchar, known integer, after integer[], before integer[],
    PRIMARY KEY (year, youth_id)
) ON COMMIT DROP
""",
    """
WITH appended AS MATERIALIZED (
    SELECT year, youth_id, COALESCE(array_agg(code) FILTER (WHERE type <> 'retraction'),
        '{}') AS codes
    FROM apply_claim GROUP BY year, youth_id
), locked AS (
    INSERT INTO youth_state (year, youth_id, codes)
    SELECT year, youth_id, codes FROM appended ORDER BY year, youth_id
    ON CONFLICT (year, youth_id) DO UPDATE SET codes = youth_state.codes || EXCLUDED.codes
    RETURNING year, youth_id, codes
)
INSERT INTO apply_touched
SELECT l.year, l.youth_id, cardinality(l.codes) - cardinality(a.codes), l.codes, NULL
FROM locked l JOIN appended a ON a.year = l.year AND a.youth_id = l.youth_id
""",
)

_APPLIED_RETRACTIONS = """
SELECT r.event_id, r.target_id, r.occurred_on, r.structure_id, r.youth_id
FROM apply_touched k
JOIN retractions r ON r.year = k.year AND r.youth_id = k.youth_id
JOIN batches b ON b.batch_id = r.batch_id AND b.applied_at IS NOT NULL
"""

# The earliest profile-carrying first reception of each youth that the claim counts, where
# it is earlier than the youth's profile (SPEC §4.2: by day, then by id as bytes).
_NEW_PROFILES = (
    """
CREATE TEMPORARY TABLE apply_changed (
    youth_id varchar PRIMARY KEY, source_id varchar, source_on date, sex varchar,
    birth_year integer, education_level varchar
) ON COMMIT DROP
""",
    f"""
INSERT INTO apply_changed
SELECT c.* FROM (
    SELECT DISTINCT ON (youth_id) youth_id, event_id, occurred_on, youth_sex,
        youth_birth_year, youth_education_level
    FROM apply_claim
    WHERE {PROFILE_EVENTS} AND event_id <> ALL(%(out)s) AND youth_id <> ALL(%(lost)s)
    ORDER BY youth_id, occurred_on, event_id COLLATE "C"
) c JOIN youth_profiles p ON p.youth_id = c.youth_id
WHERE p.source_id IS NULL OR p.source_on IS NULL OR c.occurred_on < p.source_on
    OR (c.occurred_on = p.source_on AND c.event_id COLLATE "C" < p.source_id COLLATE "C")
""",
)


def _categories(prefix: str, side: str) -> str:
    column = {"sex": "sex", "age": "birth_year", "education_level": "education_level"}
    return ", ".join(
        category_index_sql(dimension, f"{side}.{column[dimension]}", "k.year") + f" AS {prefix}{i}"
        for i, dimension in enumerate(("sex", "age", "education_level"))
    )


def _new(column: str) -> str:
    return f"CASE WHEN c.youth_id IS NULL THEN p.{column} ELSE c.{column} END AS {column}"


# Each (year, youth) that moves: those the claim touched and — for a youth whose profile
# the claim changes — its other years, whose codes stay but whose categories move. Its
# ``codes`` hold both sides: positions up to ``last_before`` are the codes before the
# claim, those after ``first_after`` the codes after it (a claim that only appends shares
# the old codes between the sides: first_after 0; one that took codes out keeps the two
# apart: before || after). Its old (o0…) and new (n0…) categories.
_KEYS = f"""
CREATE TEMPORARY TABLE apply_keys ON COMMIT DROP AS
WITH k AS (
    SELECT year, youth_id, before IS NOT NULL OR known < cardinality(after) AS moved,
        COALESCE(before || after, after) AS codes,
        COALESCE(cardinality(before), 0) AS first_after,
        COALESCE(cardinality(before), known) AS last_before
    FROM apply_touched
    UNION ALL
    SELECT s.year, s.youth_id, false, s.codes, 0, cardinality(s.codes)
    FROM youth_state s JOIN apply_changed c ON c.youth_id = s.youth_id
    WHERE NOT EXISTS (
        SELECT 1 FROM apply_touched t WHERE t.year = s.year AND t.youth_id = s.youth_id)
)
SELECT row_number() OVER () AS id, k.year, k.moved, k.codes, k.first_after, k.last_before,
    {_categories("o", "p")}, {_categories("n", "q")}
FROM k
JOIN youth_profiles p ON p.youth_id = k.youth_id
LEFT JOIN apply_changed c ON c.youth_id = k.youth_id
CROSS JOIN LATERAL (SELECT {_new("sex")}, {_new("birth_year")}, {_new("education_level")}) q
WHERE k.moved OR c.youth_id IS NOT NULL
"""

_CELL_VALUES = ", ".join(f"({cell})" for cell in cells_sql("p.place << 4"))
_SUMS = ", ".join(f"sum(was{n}) AS was{n}, sum(now{n}) AS now{n}" for n in _N)


def _side(when: str, side: str) -> str:
    counts = "".join(
        f", count(*) FILTER (WHERE {when} AND (u.code & 15) = {fact}) AS {side}{n}"
        for fact, n in zip(_COUNTED_FACTS, _N, strict=True)
    )
    return f"COALESCE(bit_or(1 << (u.code & 15)) FILTER (WHERE {when}), 0) AS {side}{counts}"


# Per moving (year, youth) and cell: the mask of its facts before and after, and its
# counted events (was_n0…, now_n0…). The codes are first merged per place and month (the
# code without its fact): a youth's events are few places and months, many facts.
_CELLS = f"""
CREATE TEMPORARY TABLE apply_cells ON COMMIT DROP AS
WITH places AS (
    SELECT k.id, k.year, k.moved, u.code >> 4 AS place,
        {_side("u.ord <= k.last_before", "was")}, {_side("u.ord > k.first_after", "now")}
    FROM apply_keys k CROSS JOIN LATERAL unnest(k.codes) WITH ORDINALITY AS u(code, ord)
    GROUP BY k.id, k.year, k.moved, u.code >> 4
)
SELECT p.id, p.year, p.moved, x.cell, bit_or(p.was) AS was, bit_or(p.now) AS now, {_SUMS}
FROM places p CROSS JOIN LATERAL (VALUES {_CELL_VALUES}) AS x(cell)
GROUP BY p.id, p.year, p.moved, x.cell
"""

_YOUTHS = """
SELECT year, cell, mask, sum(youths) FROM (
    SELECT year, cell, now AS mask, 1 AS youths FROM apply_cells
    WHERE moved AND now <> was AND now <> 0
    UNION ALL
    SELECT year, cell, was, -1 FROM apply_cells WHERE moved AND now <> was AND was <> 0
) moves GROUP BY year, cell, mask HAVING sum(youths) <> 0
"""
_EVENTS = f"""
SELECT year, cell, {", ".join(f"sum(now{n} - was{n})" for n in _N)} FROM apply_cells
WHERE moved AND ({" OR ".join(f"now{n} <> was{n}" for n in _N)})
GROUP BY year, cell
"""
# The year to date: per (year, youth) and scope, the facts cumulated through each month it
# has events in, and before it, on each side; where a side's differ, the youth enters the
# month's increment cell with the first and leaves it with the second
# (shared/pipeline/codes.py).
_SCOPE = f"PARTITION BY id, cell & {SCOPE_MASK} ORDER BY cell"
_INCREMENTS = f"""
SELECT year, cell, now_through, now_before, was_through, was_before, count(*) FROM (
    SELECT year, cell, now_through, was_through,
        COALESCE(lag(now_through) OVER ({_SCOPE}), 0) AS now_before,
        COALESCE(lag(was_through) OVER ({_SCOPE}), 0) AS was_before
    FROM (
        SELECT id, year, cell, bit_or(now) OVER ({_SCOPE}) AS now_through,
            bit_or(was) OVER ({_SCOPE}) AS was_through
        FROM apply_cells WHERE moved AND cell >= {FIRST_MONTH_CELL}
    ) cumulated
) x WHERE now_through <> was_through OR now_before <> was_before
GROUP BY year, cell, now_through, now_before, was_through, was_before
"""
# The year cells of each dimension: the youth leaves its old category with the old facts
# and enters its new one with the new.
_PROFILES = f"""
SELECT c.year, c.cell, side.category, side.mask, sum(side.youths),
    {", ".join(f"sum(side.{n})" for n in _N)}
FROM apply_cells c JOIN apply_keys k ON k.id = c.id
CROSS JOIN LATERAL (VALUES
    {
    ", ".join(
        f"(k.o{i}, c.was, -1, {', '.join(f'-c.was{n}' for n in _N)}), "
        f"(k.n{i}, c.now, 1, {', '.join(f'c.now{n}' for n in _N)})"
        for i in range(3)
    )
}
) AS side(category, mask, youths, {", ".join(_N)})
WHERE c.cell < {FIRST_MONTH_CELL} AND side.mask <> 0
GROUP BY c.year, c.cell, side.category, side.mask
HAVING sum(side.youths) <> 0 OR {" OR ".join(f"sum(side.{n}) <> 0" for n in _N)}
"""
_STRUCTURES = f"""
SELECT number, structure_id FROM structure_numbers WHERE number IN (
    SELECT DISTINCT cell & {ID_MASK} FROM apply_cells
    WHERE (cell & {LEVEL_MASK}) = {STRUCTURE_CELL})
"""
_SAVE_PROFILES = """
UPDATE youth_profiles p SET source_id = c.source_id, source_on = c.source_on, sex = c.sex,
    birth_year = c.birth_year, education_level = c.education_level
FROM apply_changed c WHERE p.youth_id = c.youth_id
"""


def apply_set_based(session: Session, batch_ids: Sequence[str]) -> Applied:
    """Apply these batches (locked by the caller, not yet applied, sorted) on PostgreSQL."""
    cursor = driver_connection(session).cursor()
    # The temporary tables have no statistics: their estimates would make the planner
    # compile every statement (JIT: 0.7 s each, more than the statement itself).
    cursor.execute("SET LOCAL jit = off")

    def rows(sql: str, params: Any = None) -> list[Any]:
        cursor.execute(sql, params)
        return list(cursor.fetchall())

    def execute(statements: tuple[str, str], params: Any = None) -> None:
        create, fill = statements  # a prepared statement holds one command
        cursor.execute(create)
        cursor.execute(fill, params)

    execute(_CLAIM, {"regions": list(REGION_CODES), "batches": list(batch_ids)})
    uncoded = rows(
        "SELECT DISTINCT structure_id FROM apply_claim WHERE code IS NULL AND type <> 'retraction'"
    )
    if uncoded:
        raise LookupError(f"structures without a number: {sorted(r[0] for r in uncoded)}")
    reached("apply:started")

    cursor.execute(_LOCK_YOUTHS)
    reached("apply:youths-locked")
    execute(_LOCK_AND_APPEND)
    reached("apply:locked")

    # Step 3: what must not count, read after the lock.
    def claimed(ids: Collection[str]) -> list[Any]:
        if not ids:
            return []
        found = rows(f"SELECT {_COLUMNS} FROM apply_claim WHERE event_id = ANY(%s)", (list(ids),))
        return [ClaimRow._make(row) for row in found]

    ours = [
        ClaimRow._make(row)
        for row in rows(f"SELECT {_COLUMNS} FROM apply_claim WHERE type = 'retraction'")
    ]
    theirs = [AppliedRetraction(*row) for row in rows(_APPLIED_RETRACTIONS)]
    kept_out, uncounted = decide(session, ours, theirs, claimed)
    lost = _lost_profiles(session, uncounted, batch_ids)
    execute(_NEW_PROFILES, {"out": [e.event_id for e in kept_out], "lost": sorted(lost)})
    for youth_id, profile in lost.items():
        cursor.execute(
            "INSERT INTO apply_changed VALUES (%s, %s, %s, %s, %s, %s)", (youth_id, *profile)
        )
    reached("apply:looked-up")

    # Step 4: take it out, move the figures, mark the batches applied.
    _take_out(session, cursor, kept_out, uncounted)
    cursor.execute(_KEYS)
    cursor.execute(_CELLS)
    moves, by_profile = Moves(), ProfileMoves()
    for year, cell, mask, youths in rows(_YOUTHS):
        moves.add_youths(year, cell, mask, youths)
    for year, cell, *counts in rows(_EVENTS):
        for fact, events in zip(_COUNTED_FACTS, counts, strict=True):
            if events:
                moves.add_events(year, cell, fact, events)
    for year, cell, now_through, now_before, was_through, was_before, youths in rows(_INCREMENTS):
        for through, before, sign in ((now_through, now_before, 1), (was_through, was_before, -1)):
            if through != before:
                moves.add_youths(year, cell | INCREMENT_FLAG, through, sign * youths)
                if before:
                    moves.add_youths(year, cell | INCREMENT_FLAG, before, -sign * youths)
    for year, cell, category, mask, youths, *counts in rows(_PROFILES):
        if youths:
            by_profile.add_youths(year, cell, category, mask, youths)
        for fact, events in zip(_COUNTED_FACTS, counts, strict=True):
            if events:
                by_profile.add_events(year, cell, category, fact, events)
    structure_ids = dict(rows(_STRUCTURES))
    move_figures(session, moves.figure_deltas(structure_ids))
    move_profile_figures(session, by_profile.figure_deltas(structure_ids))
    cursor.execute(_SAVE_PROFILES)
    cursor.execute(
        "UPDATE batches SET applied_at = now() WHERE batch_id = ANY(%s)", (list(batch_ids),)
    )
    ((events, plain),) = rows(
        "SELECT count(*), count(*) FILTER (WHERE type <> 'retraction') FROM apply_claim"
    )
    # Another claim may follow in the same transaction (tests, the recomputation's checks).
    cursor.execute("DROP TABLE apply_claim, apply_touched, apply_changed, apply_keys, apply_cells")
    reached("apply:done")
    return Applied(len(batch_ids), events, plain - len(kept_out), len(uncounted))


def _lost_profiles(
    session: Session, uncounted: Sequence[Any], claimed: Sequence[str]
) -> dict[str, Profile]:
    """The youths whose profile-giving first reception the claim uncounts, each with the best
    profile left in the log (its batches counted as applied), where it differs."""
    if not uncounted:
        return {}
    cursor = driver_connection(session).cursor()
    by_youth = {t.youth_id: t.event_id for t in uncounted}
    cursor.execute(
        "SELECT youth_id, source_id, source_on, sex, birth_year, education_level "
        "FROM youth_profiles WHERE youth_id = ANY(%s)",
        (sorted(by_youth),),
    )
    current = {row[0]: Profile(*row[1:]) for row in cursor.fetchall()}
    lost = sorted(
        y
        for y, profile in current.items()
        if profile.source_id is not None and profile.source_id in {t.event_id for t in uncounted}
    )
    logged = logged_profiles(session, lost, claimed)
    return {y: logged.get(y, NO_PROFILE) for y in lost if logged.get(y, NO_PROFILE) != current[y]}


def _take_out(
    session: Session, cursor: Any, kept_out: Sequence[Any], uncounted: Sequence[Any]
) -> None:
    """Remove from their youth_state rows (locked in step 2) the codes of the claim's
    retracted events and of the targets that counted until now (I)."""
    if not kept_out and not uncounted:
        return
    numbers = structure_numbers(session, {t.structure_id for t in uncounted})
    taken: dict[tuple[int, str], list[int]] = {}
    for e in kept_out:
        taken.setdefault((e.occurred_on.year, e.youth_id), []).append(e.code)
    for t in uncounted:
        fact = fact_of(t.type, t.outcome, t.exit_reason)
        code = encode(numbers[t.structure_id], t.region, t.occurred_on.month, fact)
        taken.setdefault((t.occurred_on.year, t.youth_id), []).append(code)
    keys = sorted(taken)
    cursor.execute(
        "SELECT t.year, t.youth_id, t.after, t.after[1:t.known] FROM apply_touched t "
        "JOIN unnest(%s::smallint[], %s::varchar[]) AS k(year, youth_id) "
        "ON k.year = t.year AND k.youth_id = t.youth_id",
        ([year for year, _ in keys], [youth for _, youth in keys]),
    )
    for year, youth_id, after, before in cursor.fetchall():
        final = list(after)
        for code in taken[(year, youth_id)]:
            final.remove(code)  # (I): what counted is among the codes
        cursor.execute(
            "UPDATE youth_state SET codes = %s WHERE year = %s AND youth_id = %s",
            (final, year, youth_id),
        )
        cursor.execute(
            "UPDATE apply_touched SET after = %s, before = %s WHERE year = %s AND youth_id = %s",
            (final, before, year, youth_id),
        )
