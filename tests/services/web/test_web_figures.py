"""GET /v1/figures and /v1/figures/breakdown: figures after applying events, parameters, errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, sessionmaker

from shared.db import engine_for
from shared.figures import FIGURE_KEYS
from shared.regions import REGIONS
from tests.support.events import apply_all, event, record

ZERO = dict.fromkeys(FIGURE_KEYS, 0)


def figures(**values: int | float) -> dict[str, int | float]:
    return {**ZERO, **values}


# Y1 is interviewed by both structures of region 11 and finds a job through the second;
# Y2 is interviewed in 11 but trains through a workshop in 24; Y3 goes through CIVIS;
# Y4 is interviewed and gets a subsidised job in 24; Y5's only event is retracted.
EVENTS = [
    event("y1-fr", "first_reception", on="2007-01-10", youth="Y1"),
    event("y1-i1", "interview", on="2007-03-15", youth="Y1"),
    event("y1-i2", "interview", on="2007-03-20", structure="ML-11-002", youth="Y1"),
    event(
        "y1-out",
        "outcome",
        on="2007-04-01",
        structure="ML-11-002",
        youth="Y1",
        outcome="employment",
    ),
    event("y1-2006", "interview", on="2006-12-31", youth="Y1"),
    event("y2-i", "interview", on="2007-02-01", youth="Y2"),
    event("y2-w", "workshop", on="2007-02-05", structure="PAIO-24-001", youth="Y2"),
    event(
        "y2-out",
        "outcome",
        on="2007-05-01",
        structure="PAIO-24-001",
        youth="Y2",
        outcome="training",
    ),
    event("y3-c", "contact", on="2007-06-01", youth="Y3", channel="phone"),
    event("y3-ce", "civis_entry", on="2007-06-01", youth="Y3"),
    event("y3-cx", "civis_exit", on="2007-12-01", youth="Y3", exit_reason="durable_employment"),
    event("y4-i", "interview", on="2007-07-01", structure="PAIO-24-001", youth="Y4"),
    event(
        "y4-out",
        "outcome",
        on="2007-07-02",
        structure="PAIO-24-001",
        youth="Y4",
        outcome="subsidized_employment",
    ),
    event("y5-i", "interview", on="2007-03-01", youth="Y5"),
    event("y5-r", "retraction", on="2007-03-01", youth="Y5", retracts="y5-i"),
]

NATIONAL_2007 = figures(
    youths_first_reception=1,
    youths_in_contact=4,
    youths_received=3,
    youths_interviewed=3,
    interviews=4,
    youths_with_access=3,
    access_rate=1.0,
    youths_employment=1,
    youths_subsidized_or_work_study=1,
    youths_training=1,
    civis_entries=1,
    civis_exits=1,
    civis_exits_durable_employment=1,
)
REGION_11 = figures(
    youths_first_reception=1,
    youths_in_contact=3,
    youths_received=2,
    youths_interviewed=2,  # Y1 once, though two structures interviewed it
    interviews=3,
    youths_with_access=1,
    access_rate=0.5,
    youths_employment=1,
    civis_entries=1,
    civis_exits=1,
    civis_exits_durable_employment=1,
)
REGION_24 = figures(
    youths_in_contact=2,
    youths_received=2,
    youths_interviewed=1,
    interviews=1,
    youths_with_access=1,  # Y2's training counts nowhere here: Y2 was not interviewed in 24
    access_rate=1.0,
    youths_subsidized_or_work_study=1,
)
ML_11_001 = figures(
    youths_first_reception=1,
    youths_in_contact=3,
    youths_received=2,
    youths_interviewed=2,
    interviews=2,
    civis_entries=1,
    civis_exits=1,
    civis_exits_durable_employment=1,
)
ML_11_002 = figures(
    youths_in_contact=1,
    youths_received=1,
    youths_interviewed=1,
    interviews=1,
    youths_with_access=1,
    access_rate=1.0,
    youths_employment=1,
)
PAIO_24_001 = REGION_24


@pytest.fixture
def applied(sessions: sessionmaker[Session], registry: Any) -> None:
    with sessions.begin() as session:
        record(session, EVENTS)
    apply_all(sessions)


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
    for url in ("/v1/figures", "/v1/figures?year=", "/v1/figures?region="):
        body = client.get(url).get_json()
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
