"""A scope's figures year by year, and the change from one year to the next."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from shared.figures import FIGURE_KEYS
from shared.publication.series import (
    MAX_YEARS,
    InvalidRange,
    change_from_previous,
    changes_over,
    check_range,
    year_series,
)
from tests.support.events import apply_all, event, record


@pytest.fixture
def two_years(sessions: sessionmaker[Session], registry: Any) -> None:
    with sessions.begin() as session:
        record(
            session,
            [
                event("a", "interview", on="2006-05-02", youth="Y1"),
                event("b", "interview", on="2007-03-01", youth="Y1"),
                event("c", "interview", on="2007-03-02", youth="Y2", structure="PAIO-24-001"),
            ],
        )
    apply_all(sessions)


def test_every_year_of_the_range_has_a_row_zeros_without_data(
    sessions: sessionmaker[Session], two_years: None
) -> None:
    with sessions() as session:
        rows = year_series(session, 2005, 2008, "national")
    assert [year for year, _ in rows] == [2005, 2006, 2007, 2008]
    assert [values["interviews"] for _, values in rows] == [0, 1, 2, 0]
    assert all(list(values) == list(FIGURE_KEYS) for _, values in rows)
    with sessions() as session:
        region = year_series(session, 2006, 2007, "region:24")
    assert [values["youths_interviewed"] for _, values in region] == [0, 1]


@pytest.mark.parametrize(("first", "last"), [(2008, 2007), (1990, 1990 + MAX_YEARS)])
def test_a_reversed_or_too_long_range_is_refused(first: int, last: int) -> None:
    with pytest.raises(InvalidRange):
        check_range(first, last)


def test_the_longest_range_is_accepted() -> None:
    check_range(1990, 1990 + MAX_YEARS - 1)


def test_change_absolute_and_relative() -> None:
    previous = {"youths_in_contact": 200, "interviews": 100, "civis_entries": 0}
    current = {"youths_in_contact": 250, "interviews": 90, "civis_entries": 3}
    changes = change_from_previous(current, previous)
    assert (changes["youths_in_contact"].absolute, changes["youths_in_contact"].relative) == (
        50,
        0.25,
    )
    assert changes["interviews"].relative == pytest.approx(-0.1)
    # From zero: the absolute change is known, the relative one is not.
    assert (changes["civis_entries"].absolute, changes["civis_entries"].relative) == (3, None)


def test_no_change_from_a_year_without_data_or_from_an_unpublished_value() -> None:
    without = {"youths_in_contact": 0, "interviews": 0}
    assert (
        change_from_previous({"youths_in_contact": 5}, without)["youths_in_contact"].absolute
        is None
    )
    assert (
        change_from_previous({"youths_in_contact": 5}, None)["youths_in_contact"].absolute is None
    )
    hidden = change_from_previous({"youths_in_contact": None}, {"youths_in_contact": 7})
    assert (hidden["youths_in_contact"].absolute, hidden["youths_in_contact"].relative) == (
        None,
        None,
    )


def test_changes_over_a_series_start_with_no_previous() -> None:
    rows = [(2006, {"youths_in_contact": 10}), (2007, {"youths_in_contact": 12})]
    changes = changes_over(rows)
    assert [year for year, _ in changes] == [2006, 2007]
    assert changes[0][1]["youths_in_contact"].absolute is None
    assert changes[1][1]["youths_in_contact"].relative == pytest.approx(0.2)
