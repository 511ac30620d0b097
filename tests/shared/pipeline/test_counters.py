"""Applying batches to the live counters: exact, exactly once, any arrival order."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from shared.figures import with_derived
from shared.pipeline.counters import apply_batches
from shared.pipeline.ingestion import Rejected
from shared.pipeline.live import pending_events, read_figures, read_to_date
from shared.pipeline.recompute import recompute_cells, recompute_from_log
from shared.registry import upsert_structure
from shared.scopes import last_day, to_date_period
from shared.storage.db import engine_for, make_engine, session_factory
from shared.storage.models.base import Base
from shared.storage.models.log import Batch, EventRow
from tests.support.events import (
    STRUCTURES,
    apply_all,
    as_records,
    event,
    live_cells,
    nonzero,
    record,
)


def test_figures_at_three_levels(sessions, registry) -> None:
    with sessions.begin() as session:
        record(
            session,
            [
                event("1", "first_reception", youth="A"),
                event("2", youth="A"),
                event("3", youth="A", structure="ML-11-002", on="2007-04-02"),
                event("4", "outcome", youth="A", structure="ML-11-002", outcome="training"),
                event("5", "outcome", youth="B", structure="PAIO-24-001", outcome="employment"),
                event("6", "workshop", youth="B", structure="PAIO-24-001"),
            ],
        )
    assert apply_all(sessions) == 1
    with sessions() as session:
        national = read_figures(session, "2007", "national")
        idf = read_figures(session, "2007", "region:11")
        paris = read_figures(session, "2007", "structure:ML-11-001")
        creteil = read_figures(session, "2007", "structure:ML-11-002")
        april = read_figures(session, "2007-04", "national")
        assert pending_events(session) == 0
    assert (
        national["youths_in_contact"],
        national["youths_interviewed"],
        national["interviews"],
    ) == (2, 1, 2)
    assert (
        national["youths_received"],
        national["youths_with_access"],
        national["access_rate"],
    ) == (2, 1, 1.0)
    assert idf["youths_interviewed"] == 1 and idf["youths_training"] == 1
    assert paris["youths_interviewed"] == 1 and paris["youths_with_access"] == 0
    assert creteil["youths_with_access"] == 1 and creteil["youths_first_reception"] == 0
    assert april["interviews"] == 1 and april["youths_with_access"] == 0


def test_a_structure_has_its_own_months(sessions, registry) -> None:
    with sessions.begin() as session:
        record(
            session,
            [
                event("1", youth="A", on="2007-03-02"),
                event("2", youth="A", on="2007-03-20"),
                event("3", youth="B", structure="ML-11-002", on="2007-03-05"),
                event("4", "outcome", youth="A", on="2007-05-01", outcome="employment"),
            ],
        )
    apply_all(sessions)
    with sessions() as session:
        march = read_figures(session, "2007-03", "structure:ML-11-001")
        other = read_figures(session, "2007-03", "structure:ML-11-002")
        may = read_figures(session, "2007-05", "structure:ML-11-001")
        region = read_figures(session, "2007-03", "region:11")
    assert (march["youths_interviewed"], march["interviews"]) == (1, 2)
    assert (other["youths_interviewed"], other["interviews"]) == (1, 1)
    assert (region["youths_interviewed"], region["interviews"]) == (2, 3)
    # In a month row the month plays the year's part: no interview in May, so no access.
    assert (may["youths_in_contact"], may["youths_with_access"]) == (1, 0)


def to_date(sessions, month: int, scope: str) -> dict:
    with sessions() as session:
        return read_to_date(session, [(2007, month)], [scope])[(to_date_period(2007, month), scope)]


def test_the_year_to_date_cumulates_the_months(sessions, registry) -> None:
    with sessions.begin() as session:
        record(
            session,
            [
                event("1", youth="A", on="2007-01-10"),
                event("2", "outcome", youth="A", on="2007-03-01", outcome="training"),
                event("3", youth="A", on="2007-03-02"),
                event("4", youth="B", structure="PAIO-24-001", on="2007-02-01"),
            ],
        )
    apply_all(sessions)
    january, february = to_date(sessions, 1, "national"), to_date(sessions, 2, "national")
    march = to_date(sessions, 3, "region:11")
    assert (january["youths_interviewed"], january["interviews"]) == (1, 1)
    assert (february["youths_interviewed"], february["youths_with_access"]) == (2, 0)
    # A's interview of January and outcome of March: with access in the year to March,
    # though in no month of its own (March's interview is its second).
    assert (march["youths_interviewed"], march["interviews"], march["youths_with_access"]) == (
        1,
        2,
        1,
    )
    with sessions() as session:
        assert read_figures(session, "2007-03", "region:11")["youths_with_access"] == 1
        assert read_figures(session, "2007-01", "region:11")["youths_with_access"] == 0
        year = read_figures(session, "2007", "national")
    assert to_date(sessions, 12, "national") == year
    # A retraction takes the event out of every period to date that holds it.
    with sessions.begin() as session:
        record(session, [event("r", "retraction", retracts="1", youth="A", on="2007-01-10")])
    apply_all(sessions)
    assert to_date(sessions, 1, "national")["youths_in_contact"] == 0
    march = to_date(sessions, 3, "structure:ML-11-001")
    assert (march["youths_interviewed"], march["interviews"], march["youths_with_access"]) == (
        1,
        1,
        1,
    )


def test_a_batch_is_applied_once(sessions, registry) -> None:
    with sessions.begin() as session:
        batch = record(session, [event("1")]).batch_id
    apply_all(sessions)
    assert apply_all(sessions) == 0  # a redelivered task finds nothing to claim
    with sessions() as session:
        assert read_figures(session, "2007", "national")["interviews"] == 1
        assert session.get(Batch, batch).applied_at is not None


def test_retraction_after_target_uncounts_it(sessions, registry) -> None:
    with sessions.begin() as session:
        record(session, [event("1"), event("2", on="2007-05-01")])
    apply_all(sessions)
    with sessions.begin() as session:
        record(session, [event("r", "retraction", retracts="1")])
    apply_all(sessions)
    with sessions() as session:
        assert read_figures(session, "2007", "national")["interviews"] == 1
        assert read_figures(session, "2007-03", "national")["youths_in_contact"] == 0


def test_retraction_before_target_keeps_it_out(sessions, registry) -> None:
    with sessions.begin() as session:
        record(session, [event("r", "retraction", retracts="1")])
    apply_all(sessions)
    with sessions.begin() as session:
        record(session, [event("1")])
    apply_all(sessions)
    with sessions() as session:
        assert read_figures(session, "2007", "national")["youths_in_contact"] == 0


def test_retraction_applied_before_its_recorded_target(sessions, registry) -> None:
    with sessions.begin() as session:
        target = record(session, [event("1")]).batch_id
    with sessions.begin() as session:
        retraction = record(session, [event("r", "retraction", retracts="1")]).batch_id
    for batch in (retraction, target):
        with sessions.begin() as session:
            apply_batches(session, [batch])
    with sessions() as session:
        assert read_figures(session, "2007", "national")["interviews"] == 0


# Days around the months' and the year's ends, in several months: every kind of cell.
DAYS = ["2007-01-10", "2007-02-11", "2007-02-28", "2007-07-01", "2007-12-31", "2008-01-01"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_order_any_split_gives_the_recomputed_figures(tmp_path_factory, data) -> None:
    url = f"sqlite:///{tmp_path_factory.mktemp('prop') / 'bilan.db'}"
    Base.metadata.create_all(make_engine(url))
    sessions = session_factory(engine_for(url))
    with sessions.begin() as session:
        for structure_id, fields in STRUCTURES.items():
            upsert_structure(session, structure_id, fields)

    kinds = st.sampled_from(
        [
            ("first_reception", {}), ("contact", {"channel": "phone"}), ("interview", {}),
            ("workshop", {}), ("outcome", {"outcome": "employment"}),
            ("outcome", {"outcome": "training"}), ("outcome", {"outcome": "work_study"}),
            ("civis_entry", {}), ("civis_exit", {"exit_reason": "durable_employment"}),
            ("civis_exit", {"exit_reason": "other"}),
        ]
    )  # fmt: skip
    n = data.draw(st.integers(1, 25), label="events")
    events = []
    for i in range(n):
        kind, extra = data.draw(kinds)
        events.append(
            event(
                f"e{i}",
                kind,
                youth=data.draw(st.sampled_from(["A", "B", "C"])),
                structure=data.draw(st.sampled_from(sorted(STRUCTURES))),
                on=data.draw(st.sampled_from(DAYS)),
                **extra,
            )
        )
    for i, target in enumerate(
        data.draw(st.lists(st.sampled_from(events), max_size=5, unique_by=lambda e: e["event_id"]))
    ):
        events.append(
            event(f"r{i}", "retraction", retracts=target["event_id"], youth=target["youth_id"],
                  structure=target["structure_id"], on=target["occurred_on"])
        )  # fmt: skip
    rng = random.Random(data.draw(st.integers(0, 2**32), label="seed"))
    arrivals = events + [rng.choice(events) for _ in range(rng.randint(0, 5))]  # resends
    rng.shuffle(arrivals)

    pending: list[str] = []
    while arrivals:
        size = rng.randint(1, 6)
        batch, arrivals = arrivals[:size], arrivals[size:]
        try:
            with sessions.begin() as session:
                pending.append(record(session, batch).batch_id)
        except Rejected:
            raise AssertionError("a valid batch was rejected") from None
        rng.shuffle(pending)
        while pending and rng.random() < 0.5:
            with sessions.begin() as session:
                if session.get(Batch, pending[-1]).applied_at is None:
                    apply_batches(session, [pending[-1]])
            pending.pop()
    apply_all(sessions)

    with sessions() as session:
        assert pending_events(session) == 0
        assert session.scalar(select(EventRow).limit(1)) is not None
        expected = recompute_from_log(session)
    assert live_cells(sessions) == nonzero(expected)
    # And the log recomputation itself equals the distinct events, whatever the arrival.
    distinct = {e["event_id"]: e for e in events}
    assert nonzero(expected) == nonzero(recompute_cells(as_records(distinct.values())))
    # The year to date, as read, is the year of the events up to that day, at every level.
    records = as_records(distinct.values())
    scopes = sorted({scope for _, scope in expected})
    for month in (1, 2, 6, 7, 12):
        through = last_day(2007, month)
        so_far = recompute_cells(
            [r for r in records if r.occurred_on <= through or r.type == "retraction"]
        )
        with sessions() as session:
            read = read_to_date(session, [(2007, month)], scopes)
        for scope in scopes:
            exact = with_derived(so_far.get(("2007", scope), {}))
            assert read[(to_date_period(2007, month), scope)] == exact, (month, scope)
