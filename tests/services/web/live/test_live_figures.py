"""``GET /v1/figures``: a year's live figures, national, per region and per structure."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from shared.figures import FIGURE_KEYS
from tests.support.events import apply_all, event, record
from tests.support.small_year import (
    EVENTS,
    ML_11_001,
    ML_11_002,
    NATIONAL_2007,
    PAIO_24_001,
    REGION_11,
    REGION_24,
    ZERO,
    figures,
)


def test_national_figures_equal_hand_computed_values(client: FlaskClient, applied: None) -> None:
    response = client.get("/v1/figures?year=2007")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert list(body) == ["year", "scope", "figures", "pending_events", "as_of"]
    assert body["year"] == 2007
    assert body["scope"] == {"level": "national", "id": None}
    assert list(body["figures"]) == list(FIGURE_KEYS)
    assert body["figures"] == NATIONAL_2007
    assert body["pending_events"] == 0
    as_of = dt.datetime.fromisoformat(body["as_of"])
    assert as_of.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.UTC) - as_of) < dt.timedelta(minutes=1)


@pytest.mark.parametrize(
    ("query", "scope", "expected"),
    [
        ("region=11", {"level": "region", "id": "11"}, REGION_11),
        ("region=24", {"level": "region", "id": "24"}, REGION_24),
        ("region=94", {"level": "region", "id": "94"}, ZERO),
        ("structure=ML-11-001", {"level": "structure", "id": "ML-11-001"}, ML_11_001),
        ("structure=ML-11-002", {"level": "structure", "id": "ML-11-002"}, ML_11_002),
        ("structure=PAIO-24-001", {"level": "structure", "id": "PAIO-24-001"}, PAIO_24_001),
    ],
)
def test_region_and_structure_figures(
    client: FlaskClient, applied: None, query: str, scope: dict[str, Any], expected: dict[str, Any]
) -> None:
    body = client.get(f"/v1/figures?year=2007&{query}").get_json()
    assert body["scope"] == scope
    assert body["figures"] == expected


def test_other_year_counts_only_its_own_events(client: FlaskClient, applied: None) -> None:
    body = client.get("/v1/figures?year=2006").get_json()
    assert body["figures"] == figures(
        youths_in_contact=1, youths_received=1, youths_interviewed=1, interviews=1
    )
    assert client.get("/v1/figures?year=2008").get_json()["figures"] == ZERO


def test_access_rate_is_zero_without_interviews(client: FlaskClient, applied: None) -> None:
    body = client.get("/v1/figures?year=1990").get_json()
    assert body["figures"]["access_rate"] == 0
    assert isinstance(body["figures"]["access_rate"], float)


def test_pending_events_before_and_after_apply(
    client: FlaskClient, sessions: sessionmaker[Session]
) -> None:
    assert client.get("/v1/figures?year=2007").get_json()["pending_events"] == 0
    with sessions.begin() as session:
        record(session, EVENTS[:3])
    with sessions.begin() as session:
        record(session, EVENTS[3:5])
    body = client.get("/v1/figures?year=2007").get_json()
    assert body["pending_events"] == 5
    assert body["figures"] == ZERO
    apply_all(sessions)
    body = client.get("/v1/figures?year=2007").get_json()
    assert body["pending_events"] == 0
    assert body["figures"]["interviews"] == 2
    assert body["figures"]["youths_interviewed"] == 1


def test_year_defaults_to_the_current_year(
    client: FlaskClient, sessions: sessionmaker[Session]
) -> None:
    today = dt.date.today()
    with sessions.begin() as session:
        record(session, [event("now-1", "interview", on=today.isoformat())])
    apply_all(sessions)
    body = client.get("/v1/figures").get_json()
    assert body["year"] == today.year
    assert body["scope"] == {"level": "national", "id": None}
    assert body["figures"]["interviews"] == 1


@pytest.mark.parametrize(
    "year",
    ["abc", "2007.0", " 2007", "-2007", "1981", "0", "20070", "1e3", str(dt.date.today().year + 2)],
)
def test_bad_year_is_400(client: FlaskClient, year: str) -> None:
    response = client.get("/v1/figures", query_string={"year": year})
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "invalid_parameter"
    assert "year" in body["message"]
    breakdown = client.get("/v1/figures/breakdown", query_string={"year": year, "by": "region"})
    assert breakdown.status_code == 400


@pytest.mark.parametrize("year", ["1982", str(dt.date.today().year + 1)])
def test_year_bounds_are_accepted(client: FlaskClient, year: str) -> None:
    response = client.get(f"/v1/figures?year={year}")
    assert response.status_code == 200
    assert response.get_json()["year"] == int(year)


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("region=99", "unknown_region"),
        ("region=1", "unknown_region"),
        ("region=%C3%8Ele-de-France", "unknown_region"),
        ("structure=ML-99-999", "unknown_structure"),
    ],
)
def test_unknown_scope_is_404(client: FlaskClient, query: str, code: str) -> None:
    response = client.get(f"/v1/figures?year=2007&{query}")
    assert response.status_code == 404
    body = response.get_json()
    assert body["error"] == code
    assert body["message"]


def test_region_and_structure_together_is_400(client: FlaskClient) -> None:
    response = client.get("/v1/figures?year=2007&region=11&structure=ML-11-001")
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_parameter"
