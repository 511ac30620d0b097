"""The three years a purge is tested on (tests/integration/test_postgres_purge.py on PostgreSQL,
tests/shared/retention/test_purge.py on SQLite): youths of one year only, youths of 2006 and
2007 whose profile a 2006 first reception gave, retractions, an inert 2007 retraction naming a
2006 event; which ids a purge through 2006 must remove and which it must keep."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from tests.support.events import apply_all, event, record

STRUCTURES = ("ML-11-001", "ML-11-002", "PAIO-24-001")
PROFILES = [
    {"sex": "F", "birth_year": 1988, "education_level": "V"},
    {"sex": "M", "birth_year": 1990},
    {"education_level": "IV"},
    {"sex": "M", "birth_year": 1985, "education_level": "VI"},
]
# The tables of aggregates a purge must leave exactly as they were.
AGGREGATES = ("figure_counts", "profile_counts", "reports", "published_cells")


def first(event_id: str, youth: str, profile: dict[str, Any] | None, **fields: Any) -> Any:
    found = event(event_id, "first_reception", youth=youth, **fields)
    if profile is not None:
        found["youth"] = profile
    return found


def year_events(year: int) -> list[dict[str, Any]]:
    """Youths met this year only: a first reception (most with a profile), an interview, an
    outcome for some, a retracted interview for one in five."""
    found = []
    for i in range(24):
        youth = f"Y{year}-{i:02d}"
        at = {"on": f"{year}-{1 + i % 12:02d}-1{i % 9}", "structure": STRUCTURES[i % 3]}
        found.append(first(f"E{year}-{i:02d}-fr", youth, PROFILES[i % 4] if i % 5 else None, **at))
        found.append(event(f"E{year}-{i:02d}-i1", youth=youth, **at))
        if i % 2:
            found.append(
                event(f"E{year}-{i:02d}-o", "outcome", youth=youth, outcome="training", **at)
            )
        if i % 5 == 0:
            found.append(event(f"E{year}-{i:02d}-i2", youth=youth, **at))
            found.append(
                event(
                    f"R{year}-{i:02d}",
                    "retraction",
                    youth=youth,
                    retracts=f"E{year}-{i:02d}-i2",
                    **at,
                )
            )
    return found


def crossing_events() -> list[dict[str, Any]]:
    """Youths of 2006 and 2007 ("K-…"): their 2006 first reception gives their profile, a 2007
    one (later) does not; "N-…", of 2006 and 2007 too, have no profile at all."""
    found = []
    for i in range(8):
        youth, structure = f"K-{i}", STRUCTURES[i % 3]
        found.append(
            first(f"E2006-K{i}-fr", youth, PROFILES[i % 4], on="2006-05-04", structure=structure)
        )
        found.append(event(f"E2007-K{i}-i", youth=youth, on="2007-02-03", structure=structure))
        if i % 2:
            late = {"sex": "F", "birth_year": 1970}
            found.append(first(f"E2007-K{i}-fr", youth, late, on="2007-03-03", structure=structure))
    for i in range(3):
        found.append(event(f"E2006-N{i}-i", youth=f"N-{i}", on="2006-06-06"))
        found.append(event(f"E2007-N{i}-i", youth=f"N-{i}", on="2007-06-06"))
    return found


def load(sessions: sessionmaker[Session]) -> None:
    """Every event recorded and applied; an inert 2007 retraction naming a 2006 event is
    recorded before its target (SPEC §3.2: it never retracts it)."""
    inert = event(
        "R2007-inert", "retraction", youth="Y2006-03", on="2007-01-02", retracts="E2006-03-i1"
    )
    with sessions.begin() as session:
        record(session, [inert])
    for batch in (year_events(2005), year_events(2006), year_events(2007), crossing_events()):
        with sessions.begin() as session:
            record(session, batch)
    apply_all(sessions)


def aggregates(engine: Engine) -> dict[str, list[Any]]:
    with engine.connect() as connection:
        return {
            table: sorted(
                tuple(map(str, row)) for row in connection.execute(text(f"SELECT * FROM {table}"))
            )
            for table in AGGREGATES
        }


def purged_ids() -> set[str]:
    ids = {e["event_id"] for e in year_events(2005) + year_events(2006)}
    ids |= {e["youth_id"] for e in year_events(2005) + year_events(2006)}
    ids |= {e["event_id"] for e in crossing_events() if e["occurred_on"].startswith("2006")}
    ids.add("R2007-inert")  # a 2007 retraction that names a purged event: deleted with it
    return ids


def kept_ids() -> set[str]:
    events = year_events(2007) + [e for e in crossing_events() if e["occurred_on"] >= "2007"]
    return {e["event_id"] for e in events} | {e["youth_id"] for e in events}
