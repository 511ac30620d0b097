"""PUT/GET /v1/campaigns/{year}: the window an admin sets, the 409 a structure gets outside it
(Paris days, both ends included), the precise refusals; and the decisions' mails over HTTP."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import shared.times
from shared.registry import set_contact
from shared.storage.models.mail import Mail
from shared.times import PARIS, paris_today
from tests.support.declarations import DECLARATION
from tests.support.web import bearer, make_app

YEAR = paris_today().year - 1  # the campaign of the year that ended


def put_window(client: FlaskClient, token: str, body: Any, year: Any = YEAR) -> Any:
    return client.put(f"/v1/campaigns/{year}", json=body, headers=bearer(token))


def window(opens: dt.date, closes: dt.date) -> dict[str, str]:
    return {"opens_on": opens.isoformat(), "closes_on": closes.isoformat()}


def declare(client: FlaskClient, token: str, year: int = YEAR) -> Any:
    return client.put(f"/v1/declarations/{year}/ML-11-001", json=DECLARATION, headers=bearer(token))


def test_a_year_without_a_window_is_open(client: FlaskClient, tokens: dict[str, str]) -> None:
    for role in ("admin", "source", "paris", "idf"):  # any token reads it
        response = client.get(f"/v1/campaigns/{YEAR}", headers=bearer(tokens[role]))
        assert response.status_code == 200, role
        assert response.get_json() == {
            "year": YEAR,
            "opens_on": None,
            "closes_on": None,
            "open": True,
            "completeness": {
                "structures": 3, "submitted": 0, "validated": 0, "rejected": 0, "missing": 3,
            },
        }  # fmt: skip
    assert client.get(f"/v1/campaigns/{YEAR}").status_code == 401
    assert declare(client, tokens["paris"]).status_code == 201


def test_the_admin_sets_the_window_and_structures_keep_to_it(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    today = paris_today()
    closed = window(today - dt.timedelta(days=30), today - dt.timedelta(days=1))
    created = put_window(client, tokens["admin"], closed)
    assert created.status_code == 201
    assert created.headers["Location"] == f"/v1/campaigns/{YEAR}"
    assert created.get_json()["open"] is False
    assert (created.get_json()["opens_on"], created.get_json()["closes_on"]) == (
        closed["opens_on"], closed["closes_on"],
    )  # fmt: skip
    refused = declare(client, tokens["paris"])
    assert refused.status_code == 409
    assert refused.get_json()["error"] == "campaign_closed"
    assert (
        f"from {closed['opens_on']} to {closed['closes_on']} included"
        in (refused.get_json()["message"])
    )
    listing = client.get(f"/v1/declarations/{YEAR}", headers=bearer(tokens["admin"])).get_json()
    assert listing["declarations"] == []  # nothing written
    assert declare(client, tokens["admin"]).status_code == 201  # admins are not bound

    reopened = put_window(client, tokens["admin"], window(today, today))
    assert (reopened.status_code, reopened.get_json()["open"]) == (200, True)
    assert declare(client, tokens["paris"]).status_code == 200
    upcoming = window(today + dt.timedelta(days=1), today + dt.timedelta(days=60))
    assert put_window(client, tokens["admin"], upcoming).get_json()["open"] is False
    assert declare(client, tokens["paris"]).get_json()["error"] == "campaign_closed"


@pytest.mark.parametrize("role", ["paris", "idf", "source"])
def test_only_an_admin_sets_a_window(
    client: FlaskClient, tokens: dict[str, str], role: str
) -> None:
    today = paris_today()
    response = put_window(client, tokens[role], window(today, today))
    assert (response.status_code, response.get_json()["error"]) == (403, "forbidden")
    assert client.put(f"/v1/campaigns/{YEAR}", json=window(today, today)).status_code == 401


@pytest.mark.parametrize(
    ("body", "status", "code", "says"),
    [
        (
            {"opens_on": f"{YEAR + 1}-06-30", "closes_on": f"{YEAR + 1}-04-01"},
            422, "invalid_window", f"closes_on ({YEAR + 1}-04-01) is before opens_on",
        ),
        (
            {"opens_on": "1950-04-01", "closes_on": f"{YEAR + 1}-06-30"},
            422, "invalid_window", f"opens in {YEAR} at the earliest - at `$.opens_on`",
        ),
        (
            {"opens_on": f"{YEAR + 1}-04-01", "closes_on": f"{YEAR + 21}-06-30"},
            422, "invalid_window", f"closes by the end of {YEAR + 2} - at `$.closes_on`",
        ),
        ({"opens_on": f"{YEAR + 1}-02-30", "closes_on": f"{YEAR + 1}-06-30"},
         422, "invalid", "Invalid RFC3339 encoded date - at `$.opens_on`"),
        ({"opens_on": "1er avril", "closes_on": f"{YEAR + 1}-06-30"},
         422, "invalid", "at `$.opens_on`"),
        ({"opens_on": f"{YEAR + 1}-04-01"}, 422, "invalid", "missing required field `closes_on`"),
        ({**window(dt.date(YEAR + 1, 4, 1), dt.date(YEAR + 1, 6, 30)), "reminders": [14]},
         422, "invalid", "unknown field `reminders`"),
        ([], 422, "invalid", "Expected `object`, got `array`"),
    ],
)  # fmt: skip
def test_a_bad_window_is_refused_precisely_and_changes_nothing(
    client: FlaskClient, tokens: dict[str, str], body: Any, status: int, code: str, says: str
) -> None:
    saved = window(dt.date(YEAR + 1, 4, 1), dt.date(YEAR + 1, 6, 30))
    assert put_window(client, tokens["admin"], saved).status_code == 201
    response = put_window(client, tokens["admin"], body)
    assert (response.status_code, response.get_json()["error"]) == (status, code)
    assert says in response.get_json()["message"]
    now = client.get(f"/v1/campaigns/{YEAR}", headers=bearer(tokens["admin"])).get_json()
    assert (now["opens_on"], now["closes_on"]) == (saved["opens_on"], saved["closes_on"])


@pytest.mark.parametrize("year", ["1900", "1981", str(paris_today().year + 2), "2100", "abc", "-1"])
def test_a_year_far_in_the_past_or_future_is_a_400(
    client: FlaskClient, tokens: dict[str, str], year: str
) -> None:
    for response in (
        put_window(
            client, tokens["admin"], window(dt.date(2008, 4, 1), dt.date(2008, 6, 30)), year
        ),
        client.get(f"/v1/campaigns/{year}", headers=bearer(tokens["admin"])),
    ):
        assert (response.status_code, response.get_json()["error"]) == (400, "invalid_parameter")
        assert "year must be an integer from 1982 to" in response.get_json()["message"]


def test_not_json_is_a_400_and_another_type_a_415(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    headers = bearer(tokens["admin"])
    response = client.put(
        f"/v1/campaigns/{YEAR}", data=b"{", headers=headers, content_type="application/json"
    )
    assert (response.status_code, response.get_json()["error"]) == (400, "malformed")
    response = client.put(f"/v1/campaigns/{YEAR}", data=b"x", headers=headers)
    assert response.status_code == 415


def test_the_window_follows_the_day_in_paris(
    client: FlaskClient, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On 30 June at 23:30 in Paris it is 21:30 in UTC: still open; at 0:30 on 1 July (22:30
    UTC, still 30 June there), closed."""
    closes = dt.date(YEAR + 1, 6, 30)
    assert (
        put_window(client, tokens["admin"], window(dt.date(YEAR + 1, 4, 1), closes)).status_code
        == 201
    )

    def at(hour: int, minute: int) -> None:
        instant = dt.datetime(YEAR + 1, 6, 30, hour, minute, tzinfo=dt.UTC)

        class Frozen(dt.datetime):
            @classmethod
            def now(cls, tz: Any = None) -> Any:  # type: ignore[override]
                return instant.astimezone(tz)

        monkeypatch.setattr(shared.times, "dt", SimpleNamespace(datetime=Frozen, UTC=dt.UTC))

    at(21, 30)
    assert shared.times.paris_today() == closes
    assert declare(client, tokens["paris"]).status_code == 201
    at(22, 30)
    assert dt.datetime(YEAR + 1, 6, 30, 22, 30, tzinfo=dt.UTC).astimezone(PARIS).day == 1
    response = declare(client, tokens["paris"])
    assert (response.status_code, response.get_json()["error"]) == (409, "campaign_closed")


@pytest.fixture
def mailing(database_url: str, registry: Any, tmp_path: Any) -> Flask:
    """The web app with mail on (a folder: what the web does is write the outbox)."""
    from dataclasses import replace

    app = make_app(database_url)
    settings = replace(app.config["SETTINGS"], mail_dir=str(tmp_path / "mails"))
    app.config["SETTINGS"] = settings
    return app


def test_each_decision_over_http_writes_its_mail(
    mailing: Flask, sessions: sessionmaker[Session], tokens: dict[str, str]
) -> None:
    client = mailing.test_client()
    with sessions.begin() as session:
        set_contact(session, "ML-11-001", "direction@ml-paris.example.org")
    assert declare(client, tokens["paris"]).status_code == 201
    url = f"/v1/declarations/{YEAR}/ML-11-001"
    assert (
        client.post(
            f"{url}/reject", json={"reason": "FSE absent"}, headers=bearer(tokens["idf"])
        ).status_code
        == 200
    )
    again = client.post(f"{url}/reject", json={"reason": "encore"}, headers=bearer(tokens["idf"]))
    assert again.status_code == 409  # refused: no mail
    assert declare(client, tokens["paris"]).status_code == 200
    assert client.post(f"{url}/validate", headers=bearer(tokens["idf"])).status_code == 200
    with sessions() as session:
        found = [(m.kind, m.recipient) for m in session.scalars(select(Mail).order_by(Mail.id))]
    assert found == [
        ("rejected", "direction@ml-paris.example.org"),
        ("validated", "direction@ml-paris.example.org"),
    ]
