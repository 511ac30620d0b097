"""A profile change applied concurrently with the same youth's events of another year, driven
step by step on the real PostgreSQL (SPEC §4.2; the argument in shared/pipeline/counters.py).

One claim is stopped at each checkpoint of the apply protocol while the other runs as far as
it can (to its commit, or until it waits for the youth's lock); then both finish and every
profile cell, in every year and scope, must equal the recomputation from the log — the
Python one written from the spec and the database's.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from shared.pipeline.live import pending_events
from shared.pipeline.profile_recompute import recompute_profile_cells, recompute_profiles
from shared.pipeline.profile_tables import read_profile_cells
from shared.pipeline.recompute import recompute_from_log
from shared.storage.models.log import EventRow
from tests.integration.interleaving import Transaction
from tests.integration.test_interleavings import applying, recorded
from tests.support.events import event, live_cells, nonzero

pytestmark = pytest.mark.postgres

POINTS = ("apply:started", "apply:youths-locked", "apply:locked", "apply:looked-up", "apply:done")


def first(event_id: str, on: str, profile: dict[str, Any], **fields: Any) -> dict[str, Any]:
    found = event(event_id, "first_reception", youth="Y1", on=on, **fields)
    found["youth"] = profile
    return found


# Y1's 2007: a first reception giving a profile, and an interview at another structure.
F2007 = first("F2007", "2007-02-01", {"sex": "F", "birth_year": 1989})
I2007 = event("I2007", youth="Y1", on="2007-05-02", structure="ML-11-002")
# Recorded late: a 2005 first reception with another profile, earlier, so it wins.
F2005 = first("F2005", "2005-09-01", {"sex": "M", "education_level": "V"}, structure="PAIO-24-001")
R2005 = event(
    "R2005", "retraction", retracts="F2005", youth="Y1", on="2005-09-01", structure="PAIO-24-001"
)
# Y1's 2008: its first events of the year create its youth_state row of 2008.
I2008 = event("I2008", youth="Y1", on="2008-03-03", structure="PAIO-24-001")


def sex_of_y1(pg: sessionmaker[Session], year: int) -> str:
    with pg() as session:
        cells = read_profile_cells(session, [year])
    found = [
        category
        for (_, scope, dimension, category), values in cells.items()
        if scope == "national" and dimension == "sex" and values["youths_in_contact"]
    ]
    assert len(found) == 1, found
    return found[0]


def assert_exact(pg: sessionmaker[Session]) -> None:
    with pg() as session:
        assert pending_events(session) == 0
        events = session.scalars(select(EventRow)).all()
        expected = nonzero(recompute_profile_cells(events))
        assert nonzero(read_profile_cells(session)) == expected
        in_sql: dict[Any, Any] = {}
        for year in (2005, 2007, 2008):
            in_sql.update(recompute_profiles(session.connection(), year))
        assert nonzero(in_sql) == expected
        assert live_cells(pg) == nonzero(recompute_from_log(session))


def drive(pg: sessionmaker[Session], held: str, other: str, point: str) -> None:
    """Apply batch ``held`` stopped at ``point`` while batch ``other`` is applied."""
    first_claim = Transaction(pg, applying(held), stop_at=point, name="held").start()
    assert first_claim.stopped
    second = Transaction(pg, applying(other), name="other").start()
    first_claim.finish()
    second.finish()


@pytest.mark.parametrize("point", POINTS)
def test_an_earlier_profile_while_another_year_is_applied(pg, point) -> None:
    """apply(F2005) stopped at each point; Y1's 2007 and 2008 events applied meanwhile (2008's
    row created then): every year of Y1 ends in F2005's category."""
    Transaction(pg, applying(recorded(pg, F2007))).start().finish()
    profile = recorded(pg, F2005)
    others = recorded(pg, I2007, I2008)
    drive(pg, profile, others, point)
    assert_exact(pg)
    assert (sex_of_y1(pg, 2007), sex_of_y1(pg, 2008)) == ("M", "M")


@pytest.mark.parametrize("point", POINTS)
def test_another_year_while_an_earlier_profile_is_applied(pg, point) -> None:
    """apply(I2007, I2008) stopped at each point; F2005 applied meanwhile."""
    Transaction(pg, applying(recorded(pg, F2007))).start().finish()
    others = recorded(pg, I2007, I2008)
    profile = recorded(pg, F2005)
    drive(pg, others, profile, point)
    assert_exact(pg)
    assert sex_of_y1(pg, 2008) == "M"


@pytest.mark.parametrize("point", POINTS)
def test_the_profile_retracted_while_another_year_is_applied(pg, point) -> None:
    """F2005 gave Y1's profile; its retraction stopped at each point while 2008 is applied:
    F2007's profile comes back, in 2008 too."""
    Transaction(pg, applying(recorded(pg, F2007, F2005))).start().finish()
    retraction = recorded(pg, R2005)
    others = recorded(pg, I2008)
    drive(pg, retraction, others, point)
    assert_exact(pg)
    assert (sex_of_y1(pg, 2007), sex_of_y1(pg, 2008)) == ("F", "F")


@pytest.mark.parametrize("point", POINTS)
def test_two_profiles_of_one_youth_in_two_claims(pg, point) -> None:
    """F2007 and F2005 applied at once, each held at each point in turn."""
    later, earlier = recorded(pg, F2007, I2008), recorded(pg, F2005)
    drive(pg, later, earlier, point)
    assert_exact(pg)
    assert sex_of_y1(pg, 2008) == "M"


@pytest.mark.parametrize("point", POINTS)
def test_a_retraction_before_its_profile_event(pg, point) -> None:
    """R2005 recorded first and held; F2005 applied meanwhile: it never gives the profile."""
    Transaction(pg, applying(recorded(pg, F2007))).start().finish()
    retraction = recorded(pg, R2005)
    target = recorded(pg, F2005, I2008)
    drive(pg, retraction, target, point)
    assert_exact(pg)
    assert sex_of_y1(pg, 2008) == "F"
