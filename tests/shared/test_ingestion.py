"""Recording batches: all or nothing, duplicates, conflicts, retraction rules."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from shared.ingestion import Rejected
from shared.models import Batch, EventRow
from tests.conftest import event, record


def count_events(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(EventRow))


def reject(sessions, events, today=None) -> list:
    before = count_events(sessions)
    with pytest.raises(Rejected) as caught, sessions.begin() as session:
        record(session, events, today)
    assert count_events(sessions) == before
    return [(e.index, e.event_id, e.code) for e in caught.value.errors]


def test_new_events_are_recorded_with_their_region(sessions, registry) -> None:
    with sessions.begin() as session:
        result = record(session, [event("a"), event("b", structure="PAIO-24-001")])
    assert (result.accepted, result.duplicates) == (2, 0)
    with sessions() as session:
        regions = dict(session.execute(select(EventRow.event_id, EventRow.region)).all())
        batch = session.get(Batch, result.batch_id)
    assert regions == {"a": "11", "b": "24"}
    assert batch.event_count == 2 and batch.applied_at is None


def test_identical_resend_is_a_duplicate(sessions, registry) -> None:
    with sessions.begin() as session:
        record(session, [event("a")])
    with sessions.begin() as session:
        result = record(session, [event("a"), event("b"), event("b")])
    assert (result.accepted, result.duplicates) == (1, 2)
    assert count_events(sessions) == 2


def test_a_batch_of_duplicates_only_needs_no_apply(sessions, registry) -> None:
    with sessions.begin() as session:
        record(session, [event("a")])
    with sessions.begin() as session:
        result = record(session, [event("a")])
    with sessions() as session:
        assert session.get(Batch, result.batch_id).applied_at is not None


def test_same_id_other_content_is_a_conflict(sessions, registry) -> None:
    with sessions.begin() as session:
        record(session, [event("a")])
    errors = reject(sessions, [event("c"), event("a", youth="Y2")])
    assert errors == [(1, "a", "conflict")]


def test_conflict_inside_one_request(sessions, registry) -> None:
    assert reject(sessions, [event("a"), event("a", youth="Y2")]) == [(1, "a", "conflict")]


def test_every_bad_event_is_reported_and_nothing_recorded(sessions, registry) -> None:
    errors = reject(
        sessions,
        [
            event("ok"),
            event("u", structure="NOPE"),
            event("bad", "outcome"),
            {"event_id": "x", "type": "interview"},
            event("late", on="2099-01-01"),
            event("chan", "interview", channel="phone"),
            42,
        ],
    )
    assert errors == [
        (1, "u", "unknown_structure"),
        (2, "bad", "invalid"),
        (3, "x", "invalid"),
        (4, "late", "invalid"),
        (5, "chan", "invalid"),
        (6, None, "invalid"),
    ]


def test_date_window_is_1982_to_tomorrow(sessions, registry) -> None:
    today = dt.date(2007, 6, 1)
    assert reject(sessions, [event("a", on="1981-12-31")], today)[0][2] == "invalid"
    assert reject(sessions, [event("a", on="2007-06-03")], today)[0][2] == "invalid"
    with sessions.begin() as session:
        assert (
            record(
                session, [event("a", on="2007-06-02"), event("b", on="1982-01-01")], today
            ).accepted
            == 2
        )


def test_retraction_must_match_its_recorded_target(sessions, registry) -> None:
    with sessions.begin() as session:
        record(session, [event("a")])
    errors = reject(sessions, [event("r", "retraction", retracts="a", youth="Y2")])
    assert errors == [(0, "r", "invalid")]
    with sessions.begin() as session:
        assert record(session, [event("r", "retraction", retracts="a")]).accepted == 1


def test_a_target_arriving_after_its_retraction_must_match_it(sessions, registry) -> None:
    with sessions.begin() as session:
        record(session, [event("r", "retraction", retracts="a")])
    assert reject(sessions, [event("a", on="2007-03-16")]) == [(0, "a", "invalid")]
    with sessions.begin() as session:
        assert record(session, [event("a")]).accepted == 1


def test_retracting_a_retraction_is_an_error(sessions, registry) -> None:
    with sessions.begin() as session:
        record(session, [event("a"), event("r", "retraction", retracts="a")])
    assert reject(sessions, [event("r2", "retraction", retracts="r")]) == [(0, "r2", "invalid")]
    # …also when the retraction aimed at arrives after the one aiming at it.
    with sessions.begin() as session:
        record(session, [event("r3", "retraction", retracts="r4")])
    assert reject(sessions, [event("r4", "retraction", retracts="a")]) == [(0, "r4", "invalid")]


def test_source_token_limited_to_structures(sessions, registry) -> None:
    import msgspec

    from shared.ingestion import record_events
    from shared.tokens import Caller

    caller = Caller(1, "source", frozenset({"ML-11-001"}), None)
    with pytest.raises(Rejected) as caught, sessions.begin() as session:
        record_events(session, [msgspec.json.encode(event("a", structure="ML-11-002"))], caller)
    assert caught.value.errors[0].code == "forbidden_structure"
