"""GET /openapi.json and /healthz, and the JSON errors of the web service."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import Any

import msgspec
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from services.http.errors import ErrorBody
from services.web import create_app
from services.web.live.schemas import BreakdownResponse, FiguresResponse, SeriesResponse
from services.web.registry.schemas import StructureDocument, StructureList
from shared.config import load_settings
from shared.figures import FIGURE_KEYS
from tests.support.events import apply_all, event, record


@pytest.fixture
def document(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def test_document_has_the_paths(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {
        "/v1/figures",
        "/v1/figures/breakdown",
        "/v1/figures/series",
        "/v1/structures",
        "/v1/structures/{structure_id}",
        "/healthz",
        "/readyz",
        "/openapi.json",
        "/v1/declarations/{year}",
        "/v1/declarations/{year}/{structure_id}",
        "/v1/declarations/{year}/{structure_id}/validate",
        "/v1/declarations/{year}/{structure_id}/reject",
        "/v1/campaigns/{year}",
        "/v1/consolidations",
        "/v1/consolidations/{id}",
        "/v1/reports/{year}",
        "/v1/reports/{year}.csv",
    }
    assert set(document["paths"]["/v1/structures"]) == {"get"}
    assert set(document["paths"]["/v1/structures/{structure_id}"]) == {"put"}
    put = document["paths"]["/v1/structures/{structure_id}"]["put"]
    assert put["security"] == [{"bearer": []}]
    assert set(put["responses"]) == {
        "200", "201", "400", "401", "403", "405", "413", "415", "422", "429", "503",
    }  # fmt: skip
    campaign = document["paths"]["/v1/campaigns/{year}"]
    assert set(campaign) == {"get", "put"}
    assert campaign["put"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CampaignWindow"
    }
    assert set(document["components"]["schemas"]["CampaignDocument"]["properties"]) == {
        "year", "opens_on", "closes_on", "open", "completeness",
    }  # fmt: skip


# The API: SPEC §5's /v1/ routes and the service's own three.
SERVICE_PATHS = ("/healthz", "/readyz", "/openapi.json")


def test_every_api_route_is_documented(app: Flask, document: dict[str, Any]) -> None:
    routed: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        # The pages, their own data/export routes and assets are not the API.
        if not rule.rule.startswith("/v1/") and rule.rule not in SERVICE_PATHS:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        # One path may be served by several rules (one per method).
        routed.setdefault(path, set()).update(rule.methods - {"HEAD", "OPTIONS"})
    for path, methods in routed.items():
        documented = {method.upper() for method in document["paths"][path]}
        assert documented == methods, path


def test_schemas_come_from_the_response_structs(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for name in (
        "FiguresResponse",
        "BreakdownResponse",
        "BreakdownRow",
        "Scope",
        "Figures",
        "StructureList",
        "StructureDocument",
        "StructureFields",
        "ErrorBody",
    ):
        assert name in schemas, name
    assert list(schemas["Figures"]["properties"]) == list(FIGURE_KEYS)
    assert schemas["Figures"]["required"] == list(FIGURE_KEYS)
    assert schemas["FiguresResponse"]["required"] == [
        "year",
        "scope",
        "figures",
        "pending_events",
        "as_of",
    ]
    assert schemas["FiguresResponse"]["properties"]["as_of"]["format"] == "date-time"
    assert schemas["Scope"]["properties"]["level"]["enum"] == ["national", "region", "structure"]
    assert set(schemas["BreakdownResponse"]["properties"]["by"]["enum"]) == {
        "region",
        "structure",
        "month",
        "sex",
        "age",
        "education_level",
    }
    body = schemas["StructureFields"]
    assert body["additionalProperties"] is False
    assert set(body["required"]) == {"name", "kind", "region"}
    assert set(body["properties"]) == {
        "name", "kind", "region", "opened_on", "closed_on", "email",
    }  # fmt: skip


def test_references_resolve(document: dict[str, Any]) -> None:
    text = msgspec.json.encode(document).decode()
    for name in re.findall(r'"#/components/schemas/(\w+)"', text):
        assert name in document["components"]["schemas"], name


def test_parameters_are_documented(document: dict[str, Any]) -> None:
    figures = document["paths"]["/v1/figures"]["get"]
    assert [p["name"] for p in figures["parameters"]] == [
        "year",
        "region",
        "structure",
        "through",
        "If-None-Match",
        "If-Modified-Since",
    ]
    breakdown = document["paths"]["/v1/figures/breakdown"]["get"]
    by = next(p for p in breakdown["parameters"] if p["name"] == "by")
    assert by["required"] is True
    assert [p["name"] for p in breakdown["parameters"]][:5] == [
        "year",
        "by",
        "region",
        "structure",
        "through",
    ]
    through = next(p for p in figures["parameters"] if p["name"] == "through")
    assert through["schema"]["format"] == "date"
    region = next(p for p in figures["parameters"] if p["name"] == "region")
    assert len(region["schema"]["enum"]) == 26
    year = figures["parameters"][0]["schema"]
    assert year["minimum"] == 1982


def test_answers_decode_strictly_as_the_documented_structs(
    client: FlaskClient, admin_token: str, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        record(session, [event("e1"), event("e2", "outcome", outcome="training")])
    apply_all(sessions)

    def decoded(response: Any, struct: type) -> Any:
        return msgspec.json.decode(response.get_data(), type=struct, strict=True)

    figures = decoded(client.get("/v1/figures?year=2007&region=11"), FiguresResponse)
    assert figures.figures.youths_with_access == 1
    for by in ("region", "structure", "month"):
        breakdown = client.get(f"/v1/figures/breakdown?year=2007&by={by}")
        assert decoded(breakdown, BreakdownResponse).by == by
        to_date = client.get(f"/v1/figures/breakdown?year=2007&by={by}&through=2007-03-31")
        assert decoded(to_date, BreakdownResponse).through == dt.date(2007, 3, 31)
    to_date = decoded(client.get("/v1/figures?year=2007&through=2007-02-28"), FiguresResponse)
    assert (to_date.through, to_date.figures.youths_in_contact) == (dt.date(2007, 2, 28), 0)
    months = client.get("/v1/figures/breakdown?year=2007&by=month&structure=ML-11-001")
    assert decoded(months, BreakdownResponse).rows[2].figures.interviews == 1
    series = decoded(client.get("/v1/figures/series?from=2006&to=2007"), SeriesResponse)
    assert (series.first, series.last, [row.year for row in series.rows]) == (
        2006,
        2007,
        [2006, 2007],
    )
    assert len(decoded(client.get("/v1/structures"), StructureList).structures) == 3
    put = client.put(
        "/v1/structures/X",
        json={"name": "X", "kind": "paio", "region": "94", "opened_on": "2000-01-01"},
        headers={"Authorization": f"Bearer {admin_token}"},
    )
    assert decoded(put, StructureDocument).opened_on.year == 2000
    assert decoded(client.get("/v1/figures?region=99"), ErrorBody).error == "unknown_region"


def test_healthz(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_unknown_api_path_and_method_answer_json(client: FlaskClient) -> None:
    response = client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"
    response = client.post("/v1/figures", json={})
    assert response.status_code == 405
    assert response.get_json()["error"] == "method_not_allowed"


def test_database_down_answers_503(tmp_path: Any) -> None:
    missing = tmp_path / "no-such-dir" / "bilan.db"
    settings = replace(load_settings(), database_url=f"sqlite:///{missing}")
    client = create_app({"SETTINGS": settings}).test_client()
    response = client.get("/v1/figures?year=2007")
    assert response.status_code == 503
    assert response.get_json()["error"] == "unavailable"
    assert response.headers["Retry-After"]
    assert client.get("/healthz").status_code == 200


def test_create_app_reads_the_environment(env: dict[str, str], registry: Any) -> None:
    client = create_app().test_client()
    assert len(client.get("/v1/structures").get_json()["structures"]) == 3


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
    ]


def test_every_operation_has_an_id_a_tag_and_its_refusals(document: dict[str, Any]) -> None:
    ids = [op["operationId"] for _, _, op in operations(document)]
    assert len(ids) == len(set(ids))
    for path, method, op in operations(document):
        where = f"{method} {path}"
        assert op["tags"], where
        responses = op["responses"]
        assert "Allow" in responses["405"]["headers"], where
        if op.get("parameters"):
            assert "400" in responses, where
        if "requestBody" in op:
            assert {"400", "413", "415"} <= set(responses), where
            for media in op["requestBody"]["content"].values():
                assert "example" in media, where
        if op.get("security"):
            assert {"401", "403", "429"} <= set(responses), where
            assert "Retry-After" in responses["429"]["headers"], where
        if path not in SERVICE_PATHS:
            assert "Retry-After" in responses["503"]["headers"], where


def test_bounds_enums_and_headers(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    year = schemas["ConsolidationRequest"]["properties"]["year"]
    assert (year["type"], year["minimum"]) == ("integer", 1982) and year["maximum"] >= 2008
    assert len(schemas["StructureFields"]["properties"]["region"]["enum"]) == 26
    assert schemas["Rejection"]["required"] == ["reason"]
    reject = document["paths"]["/v1/declarations/{year}/{structure_id}/reject"]["post"]
    assert reject["requestBody"]["required"] is True
    assert reject["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Rejection"
    }
    for path, _, op in operations(document):
        for parameter in op.get("parameters", []):
            schema = parameter["schema"]
            if schema.get("type") == "integer":
                assert "minimum" in schema and "maximum" in schema, (path, parameter["name"])
    report = document["paths"]["/v1/reports/{year}"]["get"]["responses"]["200"]
    assert report["headers"]["X-Report-SHA256"]["required"] is True
    figures = document["paths"]["/v1/figures"]["get"]["responses"]
    assert {"ETag", "Last-Modified", "Cache-Control"} <= set(figures["200"]["headers"])
    assert "304" in figures


def test_numbers_in_bodies_are_integers_only(client: FlaskClient, admin_token: str) -> None:
    response = client.post(
        "/v1/consolidations",
        json={"year": 2008.0},
        headers={"Authorization": f"Bearer {admin_token}"},
    )
    assert (response.status_code, response.get_json()["error"]) == (422, "invalid")
