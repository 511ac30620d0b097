"""The purge the workers make by themselves (shared/retention/expiry.py): the longest run of
eligible years among those due, never a blocked year nor a year after it; nothing twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from shared.consolidation.jobs import consolidate
from shared.retention.eligibility import PURGED, year_states
from shared.retention.expiry import expired_through, purge_expired
from shared.retention.purge import purge_year
from shared.storage.models.retention import PurgedYear
from tests.support.retention import load

# With two years kept, on this day 2006 is due (2007 and 2008 have passed since) and 2007 not.
TODAY = dt.date(2009, 3, 1)


def states(sessions: sessionmaker[Session]) -> dict[int, str]:
    with sessions() as session:
        return {s.year: s.state for s in year_states(session)}


def test_the_years_kept_that_many_full_years_after_their_end() -> None:
    assert expired_through(dt.date(2026, 1, 1), 2) == 2023
    assert expired_through(dt.date(2026, 12, 31), 2) == 2023
    assert expired_through(TODAY, 2) == 2006
    assert expired_through(TODAY, 1) == 2007


def test_only_the_eligible_years_due_are_purged(
    sessions: sessionmaker[Session], registry: Any
) -> None:
    load(sessions)
    engine = sessions.kw["bind"]
    # Nothing consolidated: every year due is blocked, nothing is deleted.
    assert purge_expired(engine, 2, TODAY) == []
    assert states(sessions) == {2005: "live", 2006: "live", 2007: "live"}

    # 2006 is not final: 2005 alone goes.
    consolidate(engine, 2005)
    (done,) = purge_expired(engine, 2, TODAY)
    assert done.year == 2005 and done.events > 0
    assert states(sessions) == {2005: PURGED, 2006: "live", 2007: "live"}

    # 2007 is final too, but not due: 2006 goes, 2007 stays.
    consolidate(engine, 2006)
    consolidate(engine, 2007)
    assert [y.year for y in purge_expired(engine, 2, TODAY)] == [2006]
    assert states(sessions) == {2005: PURGED, 2006: PURGED, 2007: "frozen"}

    # Asked again (another worker, the next hour): nothing to do.
    assert purge_expired(engine, 2, TODAY) == []
    # A year's purge run twice leaves its counts as the first run wrote them.
    with sessions() as session:
        before = session.scalars(select(PurgedYear).order_by(PurgedYear.year)).all()
        counts = [(p.year, p.status, p.events, p.youths) for p in before]
    assert purge_year(engine, 2006).events == 0
    with sessions() as session:
        after = session.scalars(select(PurgedYear).order_by(PurgedYear.year)).all()
        assert [(p.year, p.status, p.events, p.youths) for p in after] == counts
    assert all(events > 0 for year, _, events, _ in counts if year in (2005, 2006))


def test_a_year_blocked_holds_back_the_later_ones(
    sessions: sessionmaker[Session], registry: Any
) -> None:
    load(sessions)
    engine = sessions.kw["bind"]
    consolidate(engine, 2006)  # 2005 has no report: 2006, eligible, waits for it
    assert purge_expired(engine, 1, TODAY) == []
    assert states(sessions) == {2005: "live", 2006: "frozen", 2007: "live"}
