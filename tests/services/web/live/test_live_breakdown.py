"""``GET /v1/figures/breakdown``: one row per region, structure or month, from the counters."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event as sa_event

from shared.regions import REGIONS
from shared.storage.db import engine_for
from tests.support.small_year import (
    ML_11_001,
    ML_11_002,
    PAIO_24_001,
    REGION_11,
    REGION_24,
    ZERO,
    figures,
)


def test_breakdown_by_region_has_every_region(client: FlaskClient, applied: None) -> None:
    response = client.get("/v1/figures/breakdown?year=2007&by=region")
    assert response.status_code == 200
    body = response.get_json()
    assert list(body) == ["year", "by", "rows"]
    assert (body["year"], body["by"]) == (2007, "region")
    assert [row["key"] for row in body["rows"]] == list(REGIONS)
    rows = {row["key"]: row["figures"] for row in body["rows"]}
    assert rows["11"] == REGION_11
    assert rows["24"] == REGION_24
    assert all(rows[code] == ZERO for code in REGIONS if code not in ("11", "24"))


def test_breakdown_by_region_within_a_region(client: FlaskClient, applied: None) -> None:
    body = client.get("/v1/figures/breakdown?year=2007&by=region&region=24").get_json()
    assert body["rows"] == [{"key": "24", "figures": REGION_24}]


def test_breakdown_by_structure(client: FlaskClient, applied: None) -> None:
    body = client.get("/v1/figures/breakdown?year=2007&by=structure").get_json()
    assert body["by"] == "structure"
    assert body["rows"] == [
        {"key": "ML-11-001", "figures": ML_11_001},
        {"key": "ML-11-002", "figures": ML_11_002},
        {"key": "PAIO-24-001", "figures": PAIO_24_001},
    ]
    body = client.get("/v1/figures/breakdown?year=2007&by=structure&region=11").get_json()
    assert [row["key"] for row in body["rows"]] == ["ML-11-001", "ML-11-002"]
    body = client.get("/v1/figures/breakdown?year=2007&by=structure&region=94").get_json()
    assert body["rows"] == []


def test_breakdown_by_structure_shows_zeros_for_a_quiet_year(
    client: FlaskClient, applied: None
) -> None:
    body = client.get("/v1/figures/breakdown?year=2008&by=structure").get_json()
    assert [row["figures"] for row in body["rows"]] == [ZERO, ZERO, ZERO]


def test_breakdown_by_month_national(client: FlaskClient, applied: None) -> None:
    body = client.get("/v1/figures/breakdown?year=2007&by=month").get_json()
    assert body["by"] == "month"
    assert [row["key"] for row in body["rows"]] == [f"2007-{m:02d}" for m in range(1, 13)]
    months = {row["key"]: row["figures"] for row in body["rows"]}
    # The month plays the role of the year: Y1's April job has no interview in April.
    assert months == {
        "2007-01": figures(youths_first_reception=1, youths_in_contact=1),
        "2007-02": figures(
            youths_in_contact=1, youths_received=1, youths_interviewed=1, interviews=1
        ),
        "2007-03": figures(
            youths_in_contact=1, youths_received=1, youths_interviewed=1, interviews=2
        ),
        "2007-04": figures(youths_in_contact=1),
        "2007-05": figures(youths_in_contact=1),
        "2007-06": figures(youths_in_contact=1, civis_entries=1),
        "2007-07": figures(
            youths_in_contact=1,
            youths_received=1,
            youths_interviewed=1,
            interviews=1,
            youths_with_access=1,
            access_rate=1.0,
            youths_subsidized_or_work_study=1,
        ),
        "2007-08": ZERO,
        "2007-09": ZERO,
        "2007-10": ZERO,
        "2007-11": ZERO,
        "2007-12": figures(youths_in_contact=1, civis_exits=1, civis_exits_durable_employment=1),
    }


def test_breakdown_by_month_within_a_region(client: FlaskClient, applied: None) -> None:
    body = client.get("/v1/figures/breakdown?year=2007&by=month&region=24").get_json()
    months = {row["key"]: row["figures"] for row in body["rows"]}
    assert len(months) == 12
    assert months["2007-02"] == figures(youths_in_contact=1, youths_received=1)
    assert months["2007-05"] == figures(youths_in_contact=1)
    assert months["2007-07"]["youths_with_access"] == 1
    assert sum(m["youths_in_contact"] for m in months.values()) == 3


def test_breakdown_year_defaults_to_the_current_year(client: FlaskClient) -> None:
    body = client.get("/v1/figures/breakdown?by=month").get_json()
    year = dt.date.today().year
    assert body["year"] == year
    assert body["rows"][0]["key"] == f"{year}-01"


def test_each_breakdown_reads_the_counters_in_one_query(
    client: FlaskClient, applied: None, database_url: str
) -> None:
    statements: list[str] = []

    def remember(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "figure_counts" in statement:
            statements.append(statement)

    engine = engine_for(database_url)
    sa_event.listen(engine, "before_cursor_execute", remember)
    try:
        for by in ("region", "structure", "month"):
            statements.clear()
            assert client.get(f"/v1/figures/breakdown?year=2007&by={by}").status_code == 200
            assert len(statements) == 1, by
    finally:
        sa_event.remove(engine, "before_cursor_execute", remember)


@pytest.mark.parametrize(
    "query", ["", "by=", "by=year", "by=REGION", "by=structure&structure=ML-11-001"]
)
def test_bad_breakdown_is_400(client: FlaskClient, query: str) -> None:
    response = client.get(f"/v1/figures/breakdown?year=2007&{query}")
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_parameter"


def test_breakdown_unknown_region_is_404(client: FlaskClient) -> None:
    response = client.get("/v1/figures/breakdown?year=2007&by=month&region=99")
    assert response.status_code == 404
    assert response.get_json()["error"] == "unknown_region"
