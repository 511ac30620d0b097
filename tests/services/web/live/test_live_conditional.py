"""Conditional reads of the live figures: ETag and Last-Modified, 304 without building the
dashboard, a public short Cache-Control, and a new ETag when events are recorded or applied."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from services.web.live import api, conditional, dashboard, public
from tests.support.events import apply_all, event, record

ROUTES = [
    "/v1/figures?year=2007",
    "/v1/figures/breakdown?year=2007&by=region",
    "/donnees.json?year=2007",
    "/?year=2007",
]


@pytest.mark.parametrize("url", ROUTES)
def test_validators_and_304(client: FlaskClient, counted: None, url: str) -> None:
    first = client.get(url)
    assert first.status_code == 200
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('W/"')
    assert first.headers["Cache-Control"] == "public, max-age=2, stale-while-revalidate=10"
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Cache-Control"].startswith("public")
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    # If-None-Match wins: a stale ETag gets the answer whatever the date says.
    stale = client.get(url, headers={"If-None-Match": 'W/"old"', "If-Modified-Since": modified})
    assert stale.status_code == 200
    assert client.get(url + "&region=11").headers["ETag"] != etag


@pytest.mark.parametrize("url", ROUTES)
def test_a_304_builds_nothing(
    client: FlaskClient, counted: None, url: str, monkeypatch: Any
) -> None:
    etag = client.get(url).headers["ETag"]

    def refuse(*_: Any, **__: Any) -> Any:
        raise AssertionError("the dashboard was built for a 304")

    for module, name in ((dashboard, "build_dashboard"), (api, "live_figures")):
        monkeypatch.setattr(module, name, refuse)
    monkeypatch.setattr(public, "reading_for", refuse)
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_the_etag_follows_the_events(
    client: FlaskClient, counted: None, sessions: sessionmaker[Session]
) -> None:
    url = "/donnees.json?year=2007"
    before = client.get(url)
    with sessions.begin() as session:
        record(session, [event("later", "interview", on="2007-09-01", youth="Y9")])
    recorded = client.get(url, headers={"If-None-Match": before.headers["ETag"]})
    assert recorded.status_code == 200
    assert recorded.get_json()["pending_events"] == 1
    apply_all(sessions)
    applied = client.get(url, headers={"If-None-Match": recorded.headers["ETag"]})
    assert applied.status_code == 200
    assert applied.get_json()["pending_events"] == 0
    assert (
        applied.get_json()["figures"]["interviews"]
        == before.get_json()["figures"]["interviews"] + 1
    )
    assert len({before.headers["ETag"], recorded.headers["ETag"], applied.headers["ETag"]}) == 3
    assert client.get(url, headers={"If-None-Match": applied.headers["ETag"]}).status_code == 304


def test_the_etag_follows_the_registry(
    client: FlaskClient, counted: None, admin_token: str
) -> None:
    url = "/?year=2007&region=11"
    etag = client.get(url).headers["ETag"]
    renamed = {"name": "Mission locale de Paris-Centre", "kind": "mission_locale", "region": "11"}
    client.put(
        "/v1/structures/ML-11-001", json=renamed, headers={"Authorization": f"Bearer {admin_token}"}
    )
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert "Mission locale de Paris-Centre" in changed.get_data(as_text=True)


def test_refusals_carry_no_validator(client: FlaskClient, counted: None) -> None:
    response = client.get("/v1/figures?year=abc")
    assert response.status_code == 400
    assert "ETag" not in response.headers


@pytest.mark.parametrize(
    "url", ["/v1/figures/breakdown?by=nope", "/v1/figures?structure=NOPE", "/?year=abc"]
)
def test_a_refusal_is_never_not_modified(client: FlaskClient, counted: None, url: str) -> None:
    for headers in (
        {"If-None-Match": "*"},
        {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"},
    ):
        assert client.get(url, headers=headers).status_code in (400, 404), headers


def test_the_etag_changes_with_the_day_in_paris(
    client: FlaskClient, counted: None, monkeypatch: Any
) -> None:
    """The day decides the months a current year is compared on: a new day in Paris (before
    the UTC one, in the evening) is a new answer."""
    url = "/donnees.json?year=2007"
    monkeypatch.setattr(conditional, "paris_today", lambda: dt.date(2026, 11, 30))
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    monkeypatch.setattr(conditional, "paris_today", lambda: dt.date(2026, 12, 1))
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200
