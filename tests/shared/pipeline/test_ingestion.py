"""Recording batches: all or nothing, duplicates, conflicts, retraction rules."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest
from sqlalchemy import func, select

from shared.access.tokens import authenticate, create_token
from shared.events import decode_elements
from shared.pipeline.ingestion import Rejected, record_events
from shared.pipeline.live import read_figures
from shared.pipeline.retractions import InertRetraction, inert_retractions
from shared.storage.models.log import Batch, EventRow
from tests.support.events import apply_all, event, record


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


def test_a_target_arriving_after_a_mismatching_retraction_is_accepted_and_counts(
    sessions, registry
) -> None:
    """SPEC §3.2: the retraction recorded first is inert, not a lock on the target's id."""
    with sessions.begin() as session:
        record(session, [event("r", "retraction", retracts="a")])
    with sessions.begin() as session:
        assert record(session, [event("a", on="2007-03-16")]).accepted == 1
    apply_all(sessions)
    with sessions() as session:
        assert read_figures(session, "2007", "national")["interviews"] == 1
        assert inert_retractions(session) == [InertRetraction("r", "a", "occurred_on")]


def test_a_squatting_source_cannot_block_another_structures_event(sessions, registry) -> None:
    """A source limited to ML-11-001 retracts, first, an id that ML-11-002's tool will use."""
    with sessions.begin() as session:
        squatter = authenticate(session, f"Bearer {create_token(session, 'source', ['ML-11-001'])}")
        record_events(
            session,
            decode_elements([msgspec.json.encode(event("r", "retraction", retracts="b-1"))]),
            squatter,
        )
    with sessions.begin() as session:
        legit = authenticate(session, f"Bearer {create_token(session, 'source', ['ML-11-002'])}")
        batch = [event("b-1", structure="ML-11-002", youth="Y9"), event("b-2", youth="Y9",
                 structure="ML-11-002")]  # fmt: skip
        result = record_events(
            session, decode_elements(msgspec.json.encode(e) for e in batch), legit
        )
    assert result.accepted == 2
    apply_all(sessions)
    with sessions() as session:
        assert read_figures(session, "2007", "structure:ML-11-002")["interviews"] == 2
        assert [r.event_id for r in inert_retractions(session)] == ["r"]


def test_a_mismatch_names_no_field_of_another_structures_event(sessions, registry) -> None:
    with sessions.begin() as session:
        record(session, [event("b-1", structure="ML-11-002", youth="Y9", on="2007-05-04")])
        squatter = authenticate(session, f"Bearer {create_token(session, 'source', ['ML-11-001'])}")
    with pytest.raises(Rejected) as caught, sessions.begin() as session:
        retraction = event("r", "retraction", retracts="b-1")
        record_events(session, decode_elements([msgspec.json.encode(retraction)]), squatter)
    (error,) = caught.value.errors
    assert error.code == "invalid"
    assert "2007-05-04" not in error.message and "ML-11-002" not in error.message
    assert "Y9" not in error.message


def test_retracting_a_retraction_is_an_error(sessions, registry) -> None:
    with sessions.begin() as session:
        record(session, [event("a"), event("r", "retraction", retracts="a")])
    assert reject(sessions, [event("r2", "retraction", retracts="r")]) == [(0, "r2", "invalid")]
    # When the retraction aimed at arrives after the one aiming at it, it is accepted and
    # the earlier one is inert.
    with sessions.begin() as session:
        record(session, [event("r3", "retraction", retracts="r4")])
    with sessions.begin() as session:
        assert record(session, [event("r4", "retraction", retracts="a")]).accepted == 1
    with sessions() as session:
        assert inert_retractions(session) == [InertRetraction("r3", "r4", "retraction")]


def test_source_token_limited_to_structures(sessions, registry) -> None:
    import msgspec

    from shared.access.tokens import Caller
    from shared.pipeline.ingestion import record_events

    caller = Caller(1, "source", frozenset({"ML-11-001"}), None)
    with pytest.raises(Rejected) as caught, sessions.begin() as session:
        record_events(
            session,
            decode_elements([msgspec.json.encode(event("a", structure="ML-11-002"))]),
            caller,
        )
    assert caught.value.errors[0].code == "forbidden_structure"
