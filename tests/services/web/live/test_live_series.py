"""``GET /v1/figures/series``: a scope's live figures year by year."""

from __future__ import annotations

import datetime as dt

import pytest
from flask.testing import FlaskClient

from services.web.parameters import year_range
from shared.figures import FIGURE_KEYS
from shared.publication.series import MAX_YEARS
from tests.support.small_year import ML_11_001, NATIONAL_2007, REGION_24, ZERO, figures
from tests.support.web import json_of


def test_one_row_per_year_zeros_without_data(client: FlaskClient, applied: None) -> None:
    body = json_of(client, "/v1/figures/series?from=2005&to=2008")
    assert list(body) == ["from", "to", "scope", "rows", "pending_events", "as_of"]
    assert (body["from"], body["to"]) == (2005, 2008)
    assert body["scope"] == {"level": "national", "id": None}
    assert [row["year"] for row in body["rows"]] == [2005, 2006, 2007, 2008]
    assert all(list(row) == ["year", "figures"] for row in body["rows"])
    assert all(list(row["figures"]) == list(FIGURE_KEYS) for row in body["rows"])
    by_year = {row["year"]: row["figures"] for row in body["rows"]}
    assert by_year[2005] == ZERO and by_year[2008] == ZERO
    assert by_year[2006] == figures(
        youths_in_contact=1, youths_received=1, youths_interviewed=1, interviews=1
    )
    assert by_year[2007] == NATIONAL_2007
    assert body["pending_events"] == 0


@pytest.mark.parametrize(
    ("query", "scope", "expected"),
    [
        ("region=24", {"level": "region", "id": "24"}, REGION_24),
        ("structure=ML-11-001", {"level": "structure", "id": "ML-11-001"}, ML_11_001),
    ],
)
def test_a_region_or_a_structure(
    client: FlaskClient, applied: None, query: str, scope: dict[str, str], expected: dict[str, int]
) -> None:
    body = json_of(client, f"/v1/figures/series?from=2007&to=2007&{query}")
    assert body["scope"] == scope
    assert body["rows"] == [{"year": 2007, "figures": expected}]
    single = json_of(client, f"/v1/figures?year=2007&{query}")
    assert single["figures"] == body["rows"][0]["figures"]


def test_five_years_to_this_year_by_default(client: FlaskClient, applied: None) -> None:
    this_year = dt.date.today().year
    body = json_of(client, "/v1/figures/series")
    assert [row["year"] for row in body["rows"]] == list(range(this_year - 4, this_year + 1))
    body = json_of(client, "/v1/figures/series?to=2007")
    assert (body["from"], body["to"]) == (2003, 2007)
    body = json_of(client, "/v1/figures/series?to=1983")
    assert body["from"] == 1982  # not before the first possible year


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("from=2008&to=2007", 400, "invalid_parameter"),
        ("from=abc&to=2007", 400, "invalid_parameter"),
        ("from=2007&to=1900", 400, "invalid_parameter"),
        ("region=99", 404, "unknown_region"),
        ("structure=NOPE", 404, "unknown_structure"),
        ("region=11&structure=ML-11-001", 400, "invalid_parameter"),
    ],
)
def test_bad_parameters(
    client: FlaskClient, applied: None, query: str, status: int, code: str
) -> None:
    body = json_of(client, f"/v1/figures/series?{query}", status)
    assert body["error"] == code


def test_a_bad_year_says_which_parameter(client: FlaskClient, applied: None) -> None:
    assert json_of(client, "/v1/figures/series?from=abc", 400)["message"].startswith("from:")
    assert json_of(client, "/v1/figures/series?to=abc", 400)["message"].startswith("to:")


def test_every_year_figures_can_exist_for_in_one_series(client: FlaskClient, applied: None) -> None:
    first, last = year_range()
    body = json_of(client, f"/v1/figures/series?from={first}&to={last}")
    assert len(body["rows"]) == last - first + 1 <= MAX_YEARS
