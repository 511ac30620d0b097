"""The HTTP layer both services share: every blueprint says whether it answers JSON or pages,
and a refusal is answered in its blueprint's kind, not guessed from its path."""

from __future__ import annotations

import html
from typing import Any

import msgspec
from flask import Flask

from services.http.answers import JsonBlueprint, PageBlueprint
from services.ingest import create_app as create_ingest
from services.ingest.schemas import InvalidEvents, Recorded
from tests.support.events import event
from tests.support.web import bearer, make_app


def test_every_blueprint_of_both_apps_says_json_or_pages(
    env: dict[str, str], database_url: str
) -> None:
    web: Flask = make_app(database_url)
    ingest = create_ingest({"NOTIFY": False})
    for app in (web, ingest):
        for name, blueprint in app.blueprints.items():
            assert isinstance(blueprint, JsonBlueprint | PageBlueprint), name


def test_a_data_call_refuses_in_json_a_page_in_french(database_url: str, registry: Any) -> None:
    client = make_app(database_url).test_client()
    # The same blueprint owner (live): its data call answers JSON, its page a French page.
    data = client.post("/donnees.json")
    assert data.status_code == 405 and data.get_json()["error"] == "method_not_allowed"
    assert data.headers["Allow"]
    page = client.post("/")
    assert page.status_code == 405 and page.mimetype == "text/html"
    assert "Cette adresse ne s'utilise pas" in html.unescape(page.get_data(as_text=True))
    # No route at all: a page, but under the API's /v1/.
    assert client.get("/nulle-part").mimetype == "text/html"
    assert client.get("/v1/nothing").get_json()["error"] == "not_found"


def test_the_ingest_answers_json_everywhere(env: dict[str, str], registry: Any) -> None:
    client = create_ingest({"NOTIFY": False}).test_client()
    missing = client.get("/nowhere")
    assert missing.status_code == 404
    assert missing.get_json() == {"error": "not_found", "message": "no such resource"}
    assert missing.headers["X-Content-Type-Options"] == "nosniff"


def test_the_ingest_answers_are_the_documented_structs(
    env: dict[str, str], source_token: str
) -> None:
    client = create_ingest({"NOTIFY": False}).test_client()
    headers = bearer(source_token)
    accepted = client.post("/v1/events", json=[event("a")], headers=headers)
    assert accepted.status_code == 202
    msgspec.json.decode(accepted.get_data(), type=Recorded)
    invalid = client.post("/v1/events", json=[{"event_id": "b"}], headers=headers)
    assert invalid.status_code == 422
    refused = msgspec.json.decode(invalid.get_data(), type=InvalidEvents)
    assert refused.errors[0].code == "invalid"
