"""Profile cells of the live counters (SPEC §4.2): exact at every commit, whatever the order in
which profiles arrive, late, retracted or partial, against a recomputation from the log."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from shared.pipeline.counters import apply_batches
from shared.pipeline.profile_recompute import recompute_profile_cells, recompute_profiles
from shared.pipeline.profile_tables import read_profile_cells
from shared.pipeline.verify import verify
from shared.profiles import DIMENSIONS, Profile, age_category, categories
from shared.registry import upsert_structure
from shared.storage.db import engine_for, make_engine, session_factory
from shared.storage.models.base import Base
from shared.storage.models.log import Batch, EventRow
from tests.support.events import STRUCTURES, apply_all, as_records, event, nonzero, record


def first(event_id: str, youth: str, profile: dict[str, Any] | None = None, **fields: Any):
    """A first reception of ``youth``, carrying ``profile`` as its ``youth`` object."""
    found = event(event_id, "first_reception", youth=youth, **fields)
    if profile is not None:
        found["youth"] = profile
    return found


def live_profiles(sessions: sessionmaker[Session]) -> dict[Any, Any]:
    with sessions() as session:
        return nonzero(read_profile_cells(session))


def expected_profiles(sessions: sessionmaker[Session]) -> dict[Any, Any]:
    with sessions() as session:
        return nonzero(recompute_profile_cells(session.execute(select(EventRow)).scalars()))


def cell(sessions: sessionmaker[Session], year: int, scope: str, by: str) -> dict[str, int]:
    """Each category's distinct youths in contact."""
    cells = live_profiles(sessions)
    return {
        key: cells.get((year, scope, by, key), {}).get("youths_in_contact", 0)
        for key in DIMENSIONS[by]
    }


def test_age_bands_and_unknowns() -> None:
    assert age_category(2007, 1991) == "16_17"
    assert age_category(2007, 1992) == "under_16"
    assert age_category(2007, 1989) == "18_21"
    assert age_category(2007, 1985) == "22_25"
    assert age_category(2007, 1981) == "26_plus"
    assert age_category(2007, 2008) == "unknown"  # a negative age
    assert age_category(2007, None) == "unknown"
    # The age is reached in the figure's year: one profile, two bands in two years.
    profile = Profile("e", None, "F", 1990, None)
    assert categories(profile, 2007) != categories(profile, 2008)


def test_a_profile_recorded_late_moves_every_year_and_scope(sessions, registry) -> None:
    with sessions.begin() as session:
        record(
            session,
            [
                event("i6", youth="A", on="2006-05-02", structure="PAIO-24-001"),
                event("i7", youth="A", on="2007-05-02"),
            ],
        )
    apply_all(sessions)
    assert cell(sessions, 2007, "national", "sex")["unknown"] == 1
    # A 2007 first reception carrying a profile: A is a woman, in 2006 and 2007 alike.
    with sessions.begin() as session:
        record(
            session, [first("f7", "A", on="2007-02-01", profile={"sex": "F", "birth_year": 1988})]
        )
    apply_all(sessions)
    assert cell(sessions, 2006, "structure:PAIO-24-001", "sex") == {"F": 1, "M": 0, "unknown": 0}
    assert cell(sessions, 2007, "region:11", "age") == {
        "under_16": 0,
        "16_17": 0,
        "18_21": 1,
        "22_25": 0,
        "26_plus": 0,
        "unknown": 0,
    }
    assert cell(sessions, 2006, "national", "age")["18_21"] == 1  # 18 in 2006
    # An earlier one arrives late (2005, another structure): it gives the profile now,
    # its missing fields unknown (never merged with the later one's).
    with sessions.begin() as session:
        record(
            session,
            [first("f5", "A", on="2005-09-01", structure="ML-11-002", profile={"sex": "M"})],
        )
    apply_all(sessions)
    assert cell(sessions, 2007, "national", "sex") == {"F": 0, "M": 1, "unknown": 0}
    assert cell(sessions, 2007, "national", "age")["unknown"] == 1
    assert cell(sessions, 2005, "structure:ML-11-002", "sex")["M"] == 1
    # Retracted: the 2007 one gives it again.
    with sessions.begin() as session:
        record(
            session,
            [
                event(
                    "r5",
                    "retraction",
                    retracts="f5",
                    youth="A",
                    on="2005-09-01",
                    structure="ML-11-002",
                )
            ],
        )
    apply_all(sessions)
    assert cell(sessions, 2006, "national", "sex") == {"F": 1, "M": 0, "unknown": 0}
    assert live_profiles(sessions) == expected_profiles(sessions)


def test_an_empty_youth_object_gives_no_profile(sessions, registry) -> None:
    with sessions.begin() as session:
        record(
            session,
            [
                first("f1", "A", on="2007-01-02", profile={}),
                first("f2", "A", on="2007-03-02", profile={"education_level": "IV"}),
            ],
        )
    apply_all(sessions)
    assert cell(sessions, 2007, "national", "education_level")["IV"] == 1
    assert live_profiles(sessions) == expected_profiles(sessions)


def test_ties_go_to_the_smallest_event_id(sessions, registry) -> None:
    with sessions.begin() as session:
        record(session, [first("b", "A", profile={"sex": "M"})])
    apply_all(sessions)
    with sessions.begin() as session:
        record(session, [first("B", "A", profile={"sex": "F"})])
    apply_all(sessions)
    assert cell(sessions, 2007, "national", "sex")["F"] == 1  # "B" < "b" as bytes
    assert live_profiles(sessions) == expected_profiles(sessions)


DAYS = ["2005-06-01", "2006-12-31", "2007-01-01", "2007-06-15", "2007-12-31", "2008-01-01"]
PROFILES = [
    None,
    {},
    {"sex": "F"},
    {"sex": "M", "birth_year": 1989, "education_level": "V"},
    {"birth_year": 1991},
    {"birth_year": 2010},  # a negative age: unknown
    {"sex": "F", "birth_year": 1984, "education_level": "III+"},
    {"education_level": "Vbis"},
]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target],  # no long shrinking
)
@given(data=st.data())
def test_any_order_gives_the_recomputed_profile_cells(tmp_path_factory, data) -> None:
    """Random streams — profiles late, retracted, partial, empty — recorded and applied in a
    random order and split: the live profile cells equal an independent recomputation from
    the log at every commit, and so does the database's own recomputation."""
    url = f"sqlite:///{tmp_path_factory.mktemp('profiles') / 'bilan.db'}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    sessions = session_factory(engine_for(url))
    with sessions.begin() as session:
        for structure_id, fields in STRUCTURES.items():
            upsert_structure(session, structure_id, fields)
    kinds = st.sampled_from(
        [("first_reception", {}), ("first_reception", {}), ("interview", {}), ("contact", {}),
         ("outcome", {"outcome": "training"}), ("civis_entry", {})]
    )  # fmt: skip
    events = []
    for i in range(data.draw(st.integers(1, 25), label="events")):
        kind, extra = data.draw(kinds)
        drawn = event(
            f"e{data.draw(st.sampled_from(['', '0', 'a', 'B']))}{i}",
            kind,
            youth=data.draw(st.sampled_from(["A", "B", "C"])),
            structure=data.draw(st.sampled_from(sorted(STRUCTURES))),
            on=data.draw(st.sampled_from(DAYS)),
            **extra,
        )
        if kind == "first_reception":
            profile = data.draw(st.sampled_from(PROFILES))
            if profile is not None:
                drawn["youth"] = profile
        events.append(drawn)
    targets = data.draw(
        st.lists(st.sampled_from(events), max_size=6, unique_by=lambda e: e["event_id"])
    )
    for i, target in enumerate(targets):
        events.append(
            event(f"r{i}", "retraction", retracts=target["event_id"], youth=target["youth_id"],
                  structure=target["structure_id"], on=target["occurred_on"])
        )  # fmt: skip
    rng = random.Random(data.draw(st.integers(0, 2**32), label="seed"))
    arrivals = list(events)
    rng.shuffle(arrivals)
    pending: list[str] = []
    while arrivals:
        size = rng.randint(1, 5)
        batch, arrivals = arrivals[:size], arrivals[size:]
        with sessions.begin() as session:
            pending.append(record(session, batch).batch_id)
        rng.shuffle(pending)
        while pending and rng.random() < 0.6:
            claim = pending[-rng.randint(1, len(pending)) :]
            with sessions.begin() as session:
                apply_batches(
                    session, [b for b in claim if session.get(Batch, b).applied_at is None]
                )
            del pending[-len(claim) :]
            # Exact at every commit: over the applied batches' events.
            with sessions() as session:
                applied = session.scalars(
                    select(EventRow)
                    .join(Batch, Batch.batch_id == EventRow.batch_id)
                    .where(Batch.applied_at.is_not(None))
                ).all()
                assert nonzero(read_profile_cells(session)) == nonzero(
                    recompute_profile_cells(applied)
                )
    apply_all(sessions)
    distinct = {e["event_id"]: e for e in events}
    expected = nonzero(recompute_profile_cells(as_records(distinct.values())))
    assert live_profiles(sessions) == expected
    with engine.connect() as connection, connection.begin():
        in_sql: dict[Any, Any] = {}
        for year in (2005, 2006, 2007, 2008):
            in_sql.update(recompute_profiles(connection, year))
    assert nonzero(in_sql) == expected
    assert verify(engine).differences == []
