"""Statistical confidentiality on the JSON API: readers without a token do not see the
counts of fewer than BILAN_PUBLIC_MIN_COUNT youths in a structure or a month, nor what
would give them back; readers with a token of any role see exact figures."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from tests.support.events import apply_all, event, record
from tests.support.web import bearer, json_of

# Region 11: in March, seven youths interviewed at ML-11-001, one of whom leaves CIVIS for
# a training, and six at ML-11-002, none leaving; in April, five contacts at each.
EVENTS = [
    *(event(f"a{n}", "interview", on="2007-03-05", youth=f"A{n}") for n in range(7)),
    *(
        event(f"b{n}", "interview", on="2007-03-06", structure="ML-11-002", youth=f"B{n}")
        for n in range(6)
    ),
    event("a0-x", "civis_exit", on="2007-03-20", youth="A0", exit_reason="training"),
    *(
        event(f"c{n}", "contact", on="2007-04-02", structure=f"ML-11-00{1 + n % 2}", youth=f"C{n}")
        for n in range(10)
    ),
]
EXITS = ["civis_exits", "civis_exits_training"]


@pytest.fixture
def recorded(sessions: sessionmaker[Session], registry: Any) -> None:
    with sessions.begin() as session:
        record(session, EVENTS)
    apply_all(sessions)


def test_a_small_count_of_a_structure_is_withheld(public: FlaskClient, recorded: None) -> None:
    body = json_of(public, "/v1/figures?year=2007&structure=ML-11-001")
    assert list(body) == ["year", "scope", "figures", "pending_events", "as_of", "suppressed"]
    assert body["suppressed"] == EXITS
    assert [key for key, value in body["figures"].items() if value is None] == EXITS
    assert body["figures"]["youths_interviewed"] == 7
    assert body["figures"]["youths_in_contact"] == 12
    assert body["figures"]["civis_exits_other"] == 0  # zeros tell nothing about anyone


def test_the_other_structure_hides_its_zero_so_that_no_subtraction_gives_it_back(
    public: FlaskClient, recorded: None
) -> None:
    region = json_of(public, "/v1/figures?year=2007&region=11")
    other = json_of(public, "/v1/figures?year=2007&structure=ML-11-002")
    # Published, ML-11-002's 0 would give ML-11-001's 1 back: the region's 1 minus 0.
    assert region["figures"]["civis_exits_training"] == 1
    assert other["suppressed"] == EXITS
    assert other["figures"]["civis_exits_training"] is None


def test_region_and_national_year_figures_stay_exact(public: FlaskClient, recorded: None) -> None:
    for query in ("region=11", ""):
        body = json_of(public, f"/v1/figures?year=2007&{query}")
        assert body["suppressed"] == []
        assert body["figures"]["civis_exits_training"] == 1
    rows = json_of(public, "/v1/figures/breakdown?year=2007&by=region")["rows"]
    assert all(row["suppressed"] == [] for row in rows)


def test_every_answer_shows_a_cell_alike(public: FlaskClient, recorded: None) -> None:
    rows = json_of(public, "/v1/figures/breakdown?year=2007&by=structure&region=11")["rows"]
    national = json_of(public, "/v1/figures/breakdown?year=2007&by=structure")["rows"]
    for row in rows:
        single = json_of(public, f"/v1/figures?year=2007&structure={row['key']}")
        series = json_of(public, f"/v1/figures/series?from=2007&to=2007&structure={row['key']}")
        assert row["figures"] == single["figures"] == series["rows"][0]["figures"]
        assert row["suppressed"] == single["suppressed"] == series["rows"][0]["suppressed"]
        assert row in national


def test_small_months_are_withheld(public: FlaskClient, recorded: None) -> None:
    rows = {
        row["key"]: row
        for row in json_of(public, "/v1/figures/breakdown?year=2007&by=month")["rows"]
    }
    assert rows["2007-03"]["suppressed"] == EXITS
    assert rows["2007-03"]["figures"]["youths_interviewed"] == 13
    # April's zero hides it, else the year's 1 minus April's 0 would give March's back.
    assert rows["2007-04"]["suppressed"] == EXITS
    within = {
        row["key"]: row
        for row in json_of(public, "/v1/figures/breakdown?year=2007&by=month&region=11")["rows"]
    }
    assert within["2007-03"]["suppressed"] == rows["2007-03"]["suppressed"]


@pytest.mark.parametrize("role", ["source_token", "admin_token"])
def test_a_token_of_any_role_reads_exact_figures(
    public: FlaskClient, recorded: None, role: str, request: pytest.FixtureRequest
) -> None:
    token = request.getfixturevalue(role)
    response = public.get("/v1/figures?year=2007&structure=ML-11-001", headers=bearer(token))
    assert response.status_code == 200
    body = response.get_json()
    assert "suppressed" not in body
    assert body["figures"]["civis_exits_training"] == 1
    series = public.get("/v1/figures/series?structure=ML-11-001&to=2007", headers=bearer(token))
    assert all("suppressed" not in row for row in series.get_json()["rows"])


def test_an_unknown_token_is_refused_not_downgraded(public: FlaskClient, recorded: None) -> None:
    response = public.get("/v1/figures?year=2007", headers=bearer("bilan_not-a-token"))
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"


def test_off_by_default_the_answers_are_unchanged(client: FlaskClient, recorded: None) -> None:
    body = json_of(client, "/v1/figures?year=2007&structure=ML-11-001", 200)
    assert "suppressed" not in body and body["figures"]["civis_exits_training"] == 1
    # With the rule off, a header is not even read.
    response = client.get("/v1/figures?year=2007", headers=bearer("bilan_not-a-token"))
    assert response.status_code == 200
    breakdown = json_of(client, "/v1/figures/breakdown?year=2007&by=month")
    assert all("suppressed" not in row for row in breakdown["rows"])


def test_an_answer_kept_for_a_token_is_never_sent_to_a_reader_without_one(
    public: FlaskClient, recorded: None, source_token: str
) -> None:
    url = "/v1/figures?year=2007&structure=ML-11-001"
    exact = public.get(url, headers=bearer(source_token))
    assert exact.get_json()["figures"]["civis_exits_training"] == 1
    # Shared caches keep the audiences apart, and never store an exact one.
    assert exact.headers["Cache-Control"].startswith("private")
    assert "Authorization" in exact.headers["Vary"]
    anonymous = public.get(url)
    assert anonymous.get_json()["figures"]["civis_exits_training"] is None
    assert anonymous.headers["ETag"] != exact.headers["ETag"]
    assert anonymous.headers["Cache-Control"].startswith("public")
    # The exact answer's validator is no 304 for a reader without a token.
    again = public.get(url, headers={"If-None-Match": exact.headers["ETag"]})
    assert again.status_code == 200
    assert again.get_json()["figures"]["civis_exits_training"] is None
