"""The tables behind the profiles' part of the apply protocol (shared/pipeline/counters.py,
shared/pipeline/profiles.py): locking each youth's ``youth_profiles`` row, the youth's
profile-bearing first receptions read from the log, its codes of every year, the profile
cells moved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import Connection, bindparam, select, text, update
from sqlalchemy.orm import Session

from shared.figures import COUNTED, with_derived
from shared.pipeline.retractions import matched_sql
from shared.profiles import DIMENSIONS, Profile, earlier
from shared.storage.bulk import bulk_upsert, is_postgres
from shared.storage.db import driver_connection, upsert
from shared.storage.models.base import table_of
from shared.storage.models.counters import YouthState
from shared.storage.models.log import PROFILE_EVENTS
from shared.storage.models.profiles import ProfileCounts, YouthProfileRow
from shared.storage.models.registry import StructureNumber

CHUNK = 5000
ProfileCell = tuple[int, str, str, str]  # (year, scope, dimension, category)
_PROFILE_COLUMNS = ("source_id", "source_on", "sex", "birth_year", "education_level")


def lock_youths(session: Session, youth_ids: Iterable[str]) -> dict[str, Profile]:
    """Lock (creating if missing) the ``youth_profiles`` row of each youth, in key order, in
    one statement; each youth's profile as the row holds it."""
    ids = sorted(set(youth_ids))
    if not ids:
        return {}
    returning = ", ".join(("youth_id", *_PROFILE_COLUMNS))
    if is_postgres(session):
        # ON CONFLICT DO UPDATE locks the existing row (a no-op update: an unchanged key
        # keeps it a HOT update) and returns it; a missing row is inserted, and a
        # concurrent inserter of the same youth waits on the key.
        sql = (
            "INSERT INTO youth_profiles (youth_id) SELECT unnest(%b::varchar[]) "
            "ON CONFLICT (youth_id) DO UPDATE SET youth_id = EXCLUDED.youth_id "
            f"RETURNING {returning}"
        )
        with driver_connection(session).cursor(binary=True) as cursor:
            cursor.execute(sql, (ids,))
            return {row[0]: Profile(*row[1:]) for row in cursor.fetchall()}
    # SQLite: one writer at a time (BEGIN IMMEDIATE); the same statement.
    table = table_of(YouthProfileRow)
    insert = upsert(session, table)
    statement = insert.on_conflict_do_update(
        index_elements=["youth_id"], set_={"youth_id": insert.excluded.youth_id}
    ).returning(table.c.youth_id, *(table.c[c] for c in _PROFILE_COLUMNS))
    found: dict[str, Profile] = {}
    for start in range(0, len(ids), CHUNK):
        rows = session.execute(statement, [{"youth_id": y} for y in ids[start : start + CHUNK]])
        found.update((row[0], Profile(*row[1:])) for row in rows)
    return found


def logged_profiles(
    session: Session, youth_ids: Sequence[str], claimed: Sequence[str]
) -> dict[str, Profile]:
    """Each youth's profile (SPEC §4.2) over the log's applied batches and the ``claimed``
    ones: its earliest first reception carrying a profile that no retraction of those
    batches retracts (a youth without one: absent). Call it with the youths locked."""
    if not youth_ids:
        return {}
    counted = "(b.applied_at IS NOT NULL OR b.batch_id IN :claimed)"
    statement = text(
        "SELECT e.youth_id, e.event_id, e.occurred_on, e.youth_sex, e.youth_birth_year, "
        "e.youth_education_level "
        f"FROM (SELECT * FROM events WHERE youth_id IN :youths AND {PROFILE_EVENTS}) e "
        f"JOIN batches b ON b.batch_id = e.batch_id AND {counted} "
        "WHERE NOT EXISTS (SELECT 1 FROM retractions r "
        "JOIN batches rb ON rb.batch_id = r.batch_id "
        "AND (rb.applied_at IS NOT NULL OR rb.batch_id IN :claimed) "
        f"WHERE r.target_id = e.event_id AND {matched_sql('r', 'e')})"
    ).bindparams(bindparam("youths", expanding=True), bindparam("claimed", expanding=True))
    best: dict[str, Profile] = {}
    for start in range(0, len(youth_ids), CHUNK):
        chunk = list(youth_ids[start : start + CHUNK])
        rows = session.execute(statement, {"youths": chunk, "claimed": list(claimed)})
        for youth_id, event_id, day, sex, birth_year, level in rows:
            if isinstance(day, str):  # SQLite through text(): an ISO date
                day = dt.date.fromisoformat(day)
            found = Profile(event_id, day, sex, birth_year, level)
            best[youth_id] = earlier(best.get(youth_id, found), found)
    return best


def codes_of_youths(session: Session, youth_ids: Sequence[str]) -> dict[tuple[int, str], list[int]]:
    """The codes of every year of these youths (locked by the caller)."""
    found: dict[tuple[int, str], list[int]] = {}
    for start in range(0, len(youth_ids), CHUNK):
        rows = session.execute(
            select(YouthState.year, YouthState.youth_id, YouthState.codes).where(
                YouthState.youth_id.in_(list(youth_ids[start : start + CHUNK]))
            )
        )
        found.update(((year, youth), list(codes)) for year, youth, codes in rows)
    return found


def structures_numbered(session: Session, numbers: Iterable[int]) -> dict[int, str]:
    """The structure id of each of these structure numbers."""
    wanted = sorted(set(numbers))
    found: dict[int, str] = {}
    for start in range(0, len(wanted), CHUNK):
        rows = session.execute(
            select(StructureNumber.number, StructureNumber.structure_id).where(
                StructureNumber.number.in_(wanted[start : start + CHUNK])
            )
        )
        found.update((number, structure_id) for number, structure_id in rows)
    return found


def save_profiles(session: Session, profiles: Mapping[str, Profile]) -> None:
    """Write these youths' new profiles (their rows locked by the caller), in one statement.

    A claim's first receptions change thousands of profiles: a statement per youth was the
    largest share of a worker's time (py-spy, issue 21).
    """
    if not profiles:
        return
    ids = sorted(profiles)
    if is_postgres(session):
        # One binary array per column (psycopg dumps None as a NULL element, an all-NULL
        # column included): no value is turned into text and parsed back.
        sql = (
            "UPDATE youth_profiles p SET source_id = u.source_id, source_on = u.source_on, "
            "sex = u.sex, birth_year = u.birth_year, education_level = u.level "
            "FROM unnest(%b::text[], %b::text[], %b::date[], %b::text[], %b::integer[], "
            "%b::text[]) AS u(youth_id, source_id, source_on, sex, birth_year, level) "
            "WHERE p.youth_id = u.youth_id"
        )
        columns = [ids, *map(list, zip(*(profiles[youth_id] for youth_id in ids), strict=True))]
        with driver_connection(session).cursor(binary=True) as cursor:
            cursor.execute(sql, columns)
        return
    table = table_of(YouthProfileRow)
    statement = (
        update(table)
        .where(table.c.youth_id == bindparam("key"))
        .values({column: bindparam(column) for column in _PROFILE_COLUMNS})
    )
    session.execute(
        statement,
        [
            {"key": youth_id, **dict(zip(_PROFILE_COLUMNS, profiles[youth_id], strict=True))}
            for youth_id in ids
        ],
    )


def move_profile_figures(session: Session, deltas: Mapping[ProfileCell, list[int]]) -> None:
    cells = sorted(deltas)  # in key order, so that concurrent appliers cannot deadlock
    bulk_upsert(
        session,
        table_of(ProfileCounts),
        ("year", "scope", "dimension", "category", *COUNTED),
        [(*cell, *deltas[cell]) for cell in cells],
        key=("year", "scope", "dimension", "category"),
        increment=COUNTED,
    )


def read_profile_cells(
    session: Session | Connection, years: Sequence[int] | None = None
) -> dict[ProfileCell, dict[str, int]]:
    """The live profile cells (of these years), every figure COUNTED."""
    table = table_of(ProfileCounts)
    statement = select(
        table.c.year,
        table.c.scope,
        table.c.dimension,
        table.c.category,
        *(table.c[k] for k in COUNTED),
    )
    if years is not None:
        statement = statement.where(table.c.year.in_(list(years)))
    return {
        (int(r[0]), r[1], r[2], r[3]): dict(zip(COUNTED, map(int, r[4:]), strict=True))
        for r in session.execute(statement)
    }


def read_profile_rows(
    session: Session, year: int, scope: str, dimension: str
) -> dict[str, dict[str, int | float]]:
    """The live figures (every key of SPEC §4, first table) of each category of a dimension
    in a (year, scope), in the dimension's order, zeros for a category without youths."""
    table = table_of(ProfileCounts)
    rows = session.execute(
        select(table.c.category, *(table.c[k] for k in COUNTED)).where(
            table.c.year == year, table.c.scope == scope, table.c.dimension == dimension
        )
    )
    found = {row[0]: dict(zip(COUNTED, map(int, row[1:]), strict=True)) for row in rows}
    return {key: with_derived(found.get(key, {})) for key in DIMENSIONS[dimension]}
