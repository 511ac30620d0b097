"""The year to date (``through=``, SPEC §4.3) and a structure's months (``by=month&structure=S``,
SPEC §5) on the JSON API: exact for the reader with a token; for the public while statistical
confidentiality is on, a structure's withheld whole, the nation's and a region's key by key
(shared/publication/confidentiality.py ``to_date_withheld``)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from shared.figures import with_derived
from shared.pipeline.recompute import recompute_cells
from shared.publication.confidentiality import to_date_withheld
from shared.regions import REGIONS
from shared.scopes import last_day
from tests.support import small_year
from tests.support.events import as_records
from tests.support.small_year import ZERO, figures
from tests.support.web import bearer, json_of


def truth_through(month: int, scope: str) -> dict[str, Any]:
    """The small year's figures of ``scope`` over its events up to the end of ``month``,
    recomputed from the events as SPEC §4.3 words it."""
    through = last_day(2007, month)
    kept = [e for e in as_records(small_year.EVENTS) if e.occurred_on <= through]
    return with_derived(recompute_cells(kept).get(("2007", scope), {}))


@pytest.mark.parametrize("month", [1, 3, 4, 7, 11, 12])
@pytest.mark.parametrize(
    ("query", "scope"),
    [
        ("", "national"),
        ("&region=11", "region:11"),
        ("&structure=ML-11-002", "structure:ML-11-002"),
    ],
)
def test_figures_through_a_month_count_the_events_to_its_end(
    client: FlaskClient, applied: None, month: int, query: str, scope: str
) -> None:
    day = last_day(2007, month).isoformat()
    body = json_of(client, f"/v1/figures?year=2007&through={day}{query}")
    assert list(body) == ["year", "scope", "figures", "pending_events", "as_of", "through"]
    assert body["through"] == day
    assert body["figures"] == truth_through(month, scope)


def test_the_year_to_date_is_not_the_year(client: FlaskClient, applied: None) -> None:
    march = json_of(client, "/v1/figures?year=2007&through=2007-03-31")["figures"]
    april = json_of(client, "/v1/figures?year=2007&through=2007-04-30")["figures"]
    year = json_of(client, "/v1/figures?year=2007")["figures"]
    # Y1, interviewed in March, finds a job in April: with access from April on.
    assert (march["youths_with_access"], april["youths_with_access"]) == (0, 1)
    assert march["youths_in_contact"] == 2 and march["interviews"] == 3
    assert year == small_year.NATIONAL_2007
    assert json_of(client, "/v1/figures?year=2007&through=2007-12-31")["figures"] == year


@pytest.mark.parametrize(
    ("through", "message"),
    [
        ("2007-03-30", "through (2007-03-30) must be the last day of a month: 2007-03-31"),
        ("2007-02-29", "through must be a date YYYY-MM-DD, the last day of a month of 2007"),
        ("2008-02-29", "through (2008-02-29) must be in the year asked for, 2007"),
        ("2006-12-31", "through (2006-12-31) must be in the year asked for, 2007"),
        ("2007-3-31", "through must be a date YYYY-MM-DD, the last day of a month of 2007"),
        ("2007-03", "through must be a date YYYY-MM-DD, the last day of a month of 2007"),
        ("31/03/2007", "through must be a date YYYY-MM-DD, the last day of a month of 2007"),
        ("٢٠٠٧-03-31", "through must be a date YYYY-MM-DD, the last day of a month of 2007"),
        ("", "through is empty: give a value or leave it out"),
    ],
)
@pytest.mark.parametrize("path", ["/v1/figures?", "/v1/figures/breakdown?by=region&"])
def test_a_bad_through_is_a_400_saying_what_was_expected(
    client: FlaskClient, through: str, message: str, path: str
) -> None:
    body = json_of(client, f"{path}year=2007&through={through}", status=400)
    assert body == {"error": "invalid_parameter", "message": message}


def test_february_ends_on_the_29th_in_a_leap_year(client: FlaskClient, applied: None) -> None:
    assert json_of(client, "/v1/figures?year=2008&through=2008-02-29")["through"] == "2008-02-29"
    body = json_of(client, "/v1/figures?year=2008&through=2008-02-28", status=400)
    assert body["message"] == "through (2008-02-28) must be the last day of a month: 2008-02-29"


def test_breakdowns_by_region_and_structure_through_a_month(
    client: FlaskClient, applied: None
) -> None:
    body = json_of(client, "/v1/figures/breakdown?year=2007&by=region&through=2007-02-28")
    assert list(body) == ["year", "by", "rows", "through"]
    rows = {row["key"]: row["figures"] for row in body["rows"]}
    assert rows["11"] == truth_through(2, "region:11")
    assert rows["24"] == truth_through(2, "region:24") != ZERO
    body = json_of(client, "/v1/figures/breakdown?year=2007&by=structure&through=2007-04-30")
    rows = {row["key"]: row["figures"] for row in body["rows"]}
    for structure_id in ("ML-11-001", "ML-11-002", "PAIO-24-001"):
        assert rows[structure_id] == truth_through(4, f"structure:{structure_id}")


def test_a_breakdown_by_month_through_a_month_stops_there(
    client: FlaskClient, applied: None
) -> None:
    whole = json_of(client, "/v1/figures/breakdown?year=2007&by=month")["rows"]
    body = json_of(client, "/v1/figures/breakdown?year=2007&by=month&through=2007-04-30")
    assert body["rows"] == whole[:4]


def test_a_structure_has_its_own_months(client: FlaskClient, applied: None) -> None:
    body = json_of(client, "/v1/figures/breakdown?year=2007&by=month&structure=ML-11-002")
    months = {row["key"]: row["figures"] for row in body["rows"]}
    assert list(months) == [f"2007-{m:02d}" for m in range(1, 13)]
    # Y1's interview of 20 March and job of 1 April at ML-11-002 — not the region's months.
    assert months["2007-03"] == figures(
        youths_in_contact=1, youths_received=1, youths_interviewed=1, interviews=1
    )
    assert months["2007-04"] == figures(youths_in_contact=1)
    assert all(months[key] == ZERO for key in months if key not in ("2007-03", "2007-04"))
    region = json_of(client, "/v1/figures/breakdown?year=2007&by=month&region=11")["rows"]
    assert region[2]["figures"]["interviews"] == 2 != months["2007-03"]["interviews"]


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        (
            "by=region&structure=ML-11-001",
            400,
            "structure goes with by=month or a profile dimension only: a structure's rows are "
            "its months or its youths' categories",
        ),
        (
            "by=structure&structure=ML-11-001",
            400,
            "structure goes with by=month or a profile dimension only: a structure's rows are "
            "its months or its youths' categories",
        ),
        ("by=month&structure=ML-11-001&region=11", 400, "give region or structure, not both"),
        ("by=month&structure=ML-99-999", 404, "no structure 'ML-99-999' in the registry"),
        ("by=month&structure=", 400, "structure is empty: give a value or leave it out"),
    ],
)
def test_a_structure_goes_with_months_only(
    client: FlaskClient, applied: None, query: str, status: int, message: str
) -> None:
    body = json_of(client, f"/v1/figures/breakdown?year=2007&{query}", status=status)
    assert body["message"] == message


def test_the_public_sees_a_year_to_date_where_no_month_withholds_the_key(
    public: FlaskClient, applied: None, admin_token: str
) -> None:
    # A key of the nation's or a region's year to date is published, exact, when no month of
    # the year (nationally or in any region) withholds it; withheld from every one otherwise
    # (shared/publication/confidentiality.py to_date_withheld). A structure's is withheld whole.
    months = json_of(public, "/v1/figures/breakdown?year=2007&by=month")["rows"]
    regional = [
        json_of(public, f"/v1/figures/breakdown?year=2007&by=month&region={code}")["rows"]
        for code in REGIONS
    ]
    withheld_somewhere = {
        key for rows in [months, *regional] for row in rows for key in row["suppressed"]
    }
    expected = set(to_date_withheld([frozenset(withheld_somewhere)]))
    # A handful of youths a month: every count small somewhere, and the counts under each of
    # them withheld too (unit test of the rule: tests/shared/publication/test_confidentiality.py).
    assert expected
    for url in (
        "/v1/figures?year=2007&through=2007-03-31",
        "/v1/figures?year=2007&through=2007-03-31&region=11",
    ):
        body = json_of(public, url)
        exact = public.get(url, headers=bearer(admin_token)).get_json()["figures"]
        assert set(body["suppressed"]) == expected
        for key, value in body["figures"].items():
            assert value == (None if key in expected else exact[key]), key
    structure = json_of(public, "/v1/figures?year=2007&through=2007-03-31&structure=ML-11-001")
    assert structure["suppressed"] == list(ZERO)
    assert set(structure["figures"].values()) == {None}
    months = json_of(public, "/v1/figures/breakdown?year=2007&by=month&structure=ML-11-002")
    assert all(row["suppressed"] == list(ZERO) for row in months["rows"])
    # The year to 31 December is the year, published as the year is: exact nationally.
    december = json_of(public, "/v1/figures?year=2007&through=2007-12-31")
    assert (december["figures"], december["suppressed"]) == (small_year.NATIONAL_2007, [])
    structure = json_of(public, "/v1/figures?year=2007&through=2007-12-31&structure=ML-11-001")
    year = json_of(public, "/v1/figures?year=2007&structure=ML-11-001")
    assert (structure["figures"], structure["suppressed"]) == (year["figures"], year["suppressed"])
