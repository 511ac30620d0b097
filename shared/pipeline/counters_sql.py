"""Steps 1 to 3 of the apply protocol (shared/pipeline/counters.py) on PostgreSQL,
set-based: the claim's events never come to Python one by one.

PostgreSQL computes each event's code (``shared.pipeline.codes.encode``, its fact from
``fact_of`` through ``recompute_sql.fact_index_expression``) into a temporary table, locks
the youths and the (year, youth) rows in key order while appending the codes (one
statement each), and finds the profiles the claim's first receptions give (SPEC §4.2). What
comes back is per touched youth — its profile, its codes before and after — and the few
rows step 3 decides on: the claim's retractions and what they aim at.

Step 4 (the figures' moves) stays in Python, per touched youth (``Moves``): measured, a
youth's cell masks cost PostgreSQL's executor more than Python's dicts (docs/performance.md,
"The apply path").
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy.orm import Session

from shared.pipeline.checkpoints import reached
from shared.pipeline.claims import LookedUp, decide
from shared.pipeline.codes import REGION_CODES
from shared.pipeline.counter_tables import ClaimedEvent, Key, applied_retractions
from shared.pipeline.profile_tables import logged_profiles
from shared.pipeline.recompute_sql import fact_index_expression
from shared.profiles import NO_PROFILE, Profile
from shared.storage.db import driver_connection
from shared.storage.models.log import PROFILE_EVENTS

ClaimRow = namedtuple("ClaimRow", (*ClaimedEvent._fields, "code"))  # type: ignore[misc]
_COLUMNS = ", ".join(ClaimRow._fields)
_PROFILE = "source_id, source_on, sex, birth_year, education_level"

_CLAIM = """
CREATE TEMPORARY TABLE apply_claim (
    event_id varchar, type varchar, occurred_on date, structure_id varchar, region varchar,
    youth_id varchar, outcome varchar, exit_reason varchar, retracts varchar,
    youth_sex varchar, youth_birth_year integer, youth_education_level varchar,
    code integer, year smallint
) ON COMMIT DROP
"""
# (PostgreSQL gives its bitwise operators one precedence: every step is bracketed.)
_FILL_CLAIM = f"""
INSERT INTO apply_claim
SELECT e.event_id, e.type, e.occurred_on, e.structure_id, e.region, e.youth_id, e.outcome,
    e.exit_reason, e.retracts, e.youth_sex, e.youth_birth_year, e.youth_education_level,
    (n.number << 13) | ((array_position(%(regions)s::text[], e.region::text) - 1) << 8)
        | (EXTRACT(MONTH FROM e.occurred_on)::integer << 4) | ({fact_index_expression("e")}),
    EXTRACT(YEAR FROM e.occurred_on)::smallint
FROM events e LEFT JOIN structure_numbers n ON n.structure_id = e.structure_id
WHERE e.batch_id = ANY(%(batches)s)
"""

# Step 1: every youth of the claim, in key order, in one statement (a no-op update locks
# an existing row; a concurrent inserter of the same youth waits on the key).
_LOCK_YOUTHS = f"""
INSERT INTO youth_profiles (youth_id)
SELECT DISTINCT youth_id FROM apply_claim ORDER BY youth_id
ON CONFLICT (youth_id) DO UPDATE SET youth_id = EXCLUDED.youth_id
RETURNING youth_id, {_PROFILE}, xmax = 0
"""

# Step 2: every (year, youth) of the claim, retractions included, in key order, appending
# the codes; each row's codes after, and those appended.
_LOCK_AND_APPEND = """
WITH appended AS MATERIALIZED (
    SELECT year, youth_id,
        COALESCE(array_agg(code) FILTER (WHERE type <> 'retraction'), '{}') AS codes
    FROM apply_claim GROUP BY year, youth_id
), locked AS (
    INSERT INTO youth_state (year, youth_id, codes)
    SELECT year, youth_id, codes FROM appended ORDER BY year, youth_id
    ON CONFLICT (year, youth_id) DO UPDATE SET codes = youth_state.codes || EXCLUDED.codes
    RETURNING year, youth_id, codes
)
SELECT l.year, l.youth_id, l.codes, a.codes
FROM locked l JOIN appended a ON a.year = l.year AND a.youth_id = l.youth_id
"""

# The earliest profile-carrying first reception of each youth that the claim counts, where
# it is earlier than the youth's profile (SPEC §4.2: by day, then by id as bytes), written
# over it at once: the rows are the claim's, locked in step 1 (no new lock is taken, so the
# join's order cannot deadlock), and a statement per claim spares sending them back.
_NEW_PROFILES = f"""
WITH c AS (
    SELECT DISTINCT ON (youth_id) youth_id, event_id, occurred_on, youth_sex,
        youth_birth_year, youth_education_level
    FROM apply_claim
    WHERE {PROFILE_EVENTS} AND event_id <> ALL(%(out)s) AND youth_id <> ALL(%(lost)s)
    ORDER BY youth_id, occurred_on, event_id COLLATE "C"
)
UPDATE youth_profiles p SET source_id = c.event_id, source_on = c.occurred_on,
    sex = c.youth_sex, birth_year = c.youth_birth_year, education_level = c.youth_education_level
FROM c
WHERE p.youth_id = c.youth_id AND (p.source_id IS NULL OR p.source_on IS NULL
    OR c.occurred_on < p.source_on
    OR (c.occurred_on = p.source_on AND c.event_id COLLATE "C" < p.source_id COLLATE "C"))
RETURNING c.*
"""


def look_up_set_based(session: Session, batch_ids: Sequence[str]) -> LookedUp:
    """Steps 1 to 3 for these batches (locked by the caller, not yet applied, sorted)."""
    cursor = driver_connection(session).cursor(binary=True)

    def rows(sql: str, params: Any = None) -> list[Any]:
        cursor.execute(sql, params)
        return list(cursor.fetchall())

    cursor.execute(_CLAIM)
    cursor.execute(_FILL_CLAIM, {"regions": list(REGION_CODES), "batches": list(batch_ids)})
    uncoded = rows(
        "SELECT DISTINCT structure_id FROM apply_claim WHERE code IS NULL AND type <> 'retraction'"
    )
    if uncoded:
        raise LookupError(f"structures without a number: {sorted(s for (s,) in uncoded)}")
    numbers = rows(
        "SELECT DISTINCT structure_id, code >> 13 FROM apply_claim WHERE code IS NOT NULL"
    )
    reached("apply:started")

    locked = rows(_LOCK_YOUTHS)
    profiles = {row[0]: Profile(*row[1:-1]) for row in locked}
    # A row this claim inserted (xmax 0) is a youth never seen: every youth_state row is
    # made under its youth's row, and a purge deletes that row only with the last of them.
    new_youths = frozenset(row[0] for row in locked if row[-1])
    reached("apply:youths-locked")
    touched = {
        (year, youth): (list(after), list(added))
        for year, youth, after, added in rows(_LOCK_AND_APPEND)
    }
    reached("apply:locked")

    # Step 3: what must not count, read after the lock.
    def claimed(ids: Collection[str]) -> list[Any]:
        if not ids:
            return []
        found = rows(f"SELECT {_COLUMNS} FROM apply_claim WHERE event_id = ANY(%s)", (list(ids),))
        return [ClaimRow._make(row) for row in found]

    ours = rows(f"SELECT {_COLUMNS} FROM apply_claim WHERE type = 'retraction'")
    kept_out, uncounted = decide(
        session,
        [ClaimRow._make(row) for row in ours],
        applied_retractions(session, sorted(touched)) if touched else [],
        claimed,
    )
    lost = _lost_profiles(session, profiles, uncounted, batch_ids)
    changed = {
        row[0]: Profile(*row[1:])
        for row in rows(
            _NEW_PROFILES, {"out": [e.event_id for e in kept_out], "lost": sorted(lost)}
        )
    }
    saved = frozenset(changed)
    changed.update(lost)
    taken: dict[Key, list[int]] = {}
    for e in kept_out:
        taken.setdefault((e.occurred_on.year, e.youth_id), []).append(e.code)
    ((events, plain),) = rows(
        "SELECT count(*), count(*) FILTER (WHERE type <> 'retraction') FROM apply_claim"
    )
    # Another claim may follow in the same transaction (tests, the recomputation's checks).
    cursor.execute("DROP TABLE apply_claim")
    reached("apply:looked-up")
    counted = plain - len(kept_out)
    return LookedUp(
        events,
        counted,
        dict(numbers),
        profiles,
        touched,
        taken,
        uncounted,
        changed,
        new_youths,
        saved,
    )


def _lost_profiles(
    session: Session,
    profiles: dict[str, Profile],
    uncounted: Sequence[Any],
    claimed: Sequence[str],
) -> dict[str, Profile]:
    """The youths whose profile-giving first reception the claim uncounts, each with the best
    profile left in the log (the claim's batches counted as applied), where it differs."""
    gone = {t.event_id for t in uncounted}
    lost = sorted(y for y, p in profiles.items() if p.source_id is not None and p.source_id in gone)
    logged = logged_profiles(session, lost, claimed)
    return {y: logged.get(y, NO_PROFILE) for y in lost if logged.get(y, NO_PROFILE) != profiles[y]}
