"""``verify``: the counters against the log's figures over the applied batches, every cell."""

from __future__ import annotations

from sqlalchemy import update

from shared.pipeline.verify import Difference, verify
from shared.storage.db import engine_for
from shared.storage.models.counters import FigureCounts
from tests.support.events import apply_all, event, record


def test_applied_batches_agree_in_every_cell(database_url, sessions, registry) -> None:
    with sessions.begin() as session:
        record(session, [event("1"), event("2", "workshop", youth="B", structure="PAIO-24-001"),
                         event("r", "retraction", retracts="1")])  # fmt: skip
        record(session, [event("3", on="2008-02-01")])
    apply_all(sessions)
    result = verify(engine_for(database_url))
    assert result.differences == []
    assert result.years == [2007, 2008]
    assert (result.applied_events, result.pending_events) == (4, 0)
    # Year, month and increment cells, national, region and structure, of both years.
    assert result.cells >= 2 * 9


def test_pending_batches_are_not_differences(database_url, sessions, registry) -> None:
    with sessions.begin() as session:
        record(session, [event("1")])
    apply_all(sessions)
    with sessions.begin() as session:
        record(session, [event("2", youth="B"), event("r", "retraction", retracts="1")])
    result = verify(engine_for(database_url))
    assert result.differences == []
    assert result.pending_events == 2


def test_a_wrong_counter_is_reported_with_its_cell(database_url, sessions, registry) -> None:
    with sessions.begin() as session:
        record(session, [event("1"), event("2", youth="B")])
    apply_all(sessions)
    with sessions.begin() as session:
        session.execute(
            update(FigureCounts)
            .where(FigureCounts.period == "2007-03", FigureCounts.scope == "region:11")
            .values(interviews=FigureCounts.interviews + 1)
        )
    result = verify(engine_for(database_url), [2007])
    assert result.differences == [Difference("2007-03", "region:11", "interviews", 3, 2)]


def test_a_wrong_structure_month_or_increment_is_reported(database_url, sessions, registry) -> None:
    with sessions.begin() as session:
        record(session, [event("1", on="2007-01-05"), event("2", "outcome", outcome="training")])
    apply_all(sessions)
    with sessions.begin() as session:
        for period, scope in (("2007-03", "structure:ML-11-001"), ("2007+03", "region:11")):
            session.execute(
                update(FigureCounts)
                .where(FigureCounts.period == period, FigureCounts.scope == scope)
                .values(youths_with_access=FigureCounts.youths_with_access + 2)
            )
    result = verify(engine_for(database_url), [2007])
    assert result.differences == [
        Difference("2007+03", "region:11", "youths_with_access", 3, 1),
        Difference("2007-03", "structure:ML-11-001", "youths_with_access", 2, 0),
    ]
