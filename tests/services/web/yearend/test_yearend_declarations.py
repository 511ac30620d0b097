"""The declarations API over HTTP: status codes, precise errors, roles, listing, audit trail."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.support.declarations import DECLARATION as BODY
from tests.support.web import bearer


def put(client: FlaskClient, token: str | None, body: Any = BODY, sid: str = "ML-11-001") -> Any:
    headers = bearer(token) if token else {}
    return client.put(f"/v1/declarations/2007/{sid}", json=body, headers=headers)


def test_submit_then_replace(client: FlaskClient, tokens: dict[str, str]) -> None:
    response = put(client, tokens["paris"])
    assert response.status_code == 201
    assert response.headers["Location"] == "/v1/declarations/2007/ML-11-001"
    body = response.get_json()
    assert body["status"] == "submitted"
    assert {k: body[k] for k in BODY} == BODY
    assert (body["region"], body["reason"], body["decided_at"]) == ("11", None, None)
    again = put(client, tokens["paris"], {**BODY, "professionals": 24})
    assert again.status_code == 200
    assert again.get_json()["professionals"] == 24


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({**BODY, "professionals": -1}, 422, "invalid"),
        ({**BODY, "funding": {**BODY["funding"], "main": -1}}, 422, "invalid"),
        ({**BODY, "funders": {**BODY["funders"], "state": 1}}, 422, "funders_mismatch"),
        ({**BODY, "unknown": 1}, 422, "invalid"),
        ({"professionals": 1}, 422, "invalid"),
    ],
)
def test_invalid_bodies(
    client: FlaskClient, tokens: dict[str, str], body: Any, status: int, code: str
) -> None:
    response = put(client, tokens["paris"], body)
    assert response.status_code == status
    assert response.get_json()["error"] == code
    assert response.get_json()["message"]
    listing = client.get("/v1/declarations/2007", headers=bearer(tokens["admin"])).get_json()
    assert listing["declarations"] == []


def test_malformed_body_and_bad_year(client: FlaskClient, tokens: dict[str, str]) -> None:
    response = client.put(
        "/v1/declarations/2007/ML-11-001",
        data=b"{",
        headers=bearer(tokens["paris"]),
        content_type="application/json",
    )
    assert (response.status_code, response.get_json()["error"]) == (400, "malformed")
    response = client.put(
        "/v1/declarations/20x7/ML-11-001", json=BODY, headers=bearer(tokens["admin"])
    )
    assert response.status_code == 400


def test_unknown_structure(client: FlaskClient, tokens: dict[str, str]) -> None:
    response = put(client, tokens["admin"], sid="ML-99-999")
    assert (response.status_code, response.get_json()["error"]) == (422, "unknown_structure")


def test_submit_role_boundaries(client: FlaskClient, tokens: dict[str, str]) -> None:
    assert put(client, None).status_code == 401
    assert put(client, "bilan_nope").status_code == 401
    for name, code in (
        ("chartres", "forbidden_structure"),
        ("source", "forbidden"),
        ("idf", "forbidden"),
    ):
        response = put(client, tokens[name])
        assert (response.status_code, response.get_json()["error"]) == (403, code), name
    assert put(client, tokens["admin"], sid="PAIO-24-001").status_code == 201


def test_validation_role_boundaries_and_resubmission(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    put(client, tokens["paris"])
    url = "/v1/declarations/2007/ML-11-001"
    response = client.post(f"{url}/validate", headers=bearer(tokens["centre"]))
    assert (response.status_code, response.get_json()["error"]) == (403, "forbidden_region")
    response = client.post(f"{url}/validate", headers=bearer(tokens["paris"]))
    assert response.status_code == 403
    assert client.post(f"{url}/validate").status_code == 401
    response = client.post(f"{url}/reject", json={}, headers=bearer(tokens["idf"]))
    assert (response.status_code, response.get_json()["error"]) == (422, "invalid")
    response = client.post(
        f"{url}/reject", json={"reason": "FSE absent"}, headers=bearer(tokens["idf"])
    )
    assert response.status_code == 200
    assert (response.get_json()["status"], response.get_json()["reason"]) == (
        "rejected",
        "FSE absent",
    )
    assert put(client, tokens["paris"]).get_json()["status"] == "submitted"
    response = client.post(f"{url}/validate", headers=bearer(tokens["idf"]))
    assert response.get_json()["status"] == "validated"
    response = put(client, tokens["paris"])
    assert (response.status_code, response.get_json()["error"]) == (409, "already_validated")
    response = client.post(f"{url}/validate", headers=bearer(tokens["admin"]))
    assert (response.status_code, response.get_json()["error"]) == (409, "invalid_transition")
    missing = client.post("/v1/declarations/2007/ML-11-002/validate", headers=bearer(tokens["idf"]))
    assert missing.status_code == 404


def test_listing_with_completeness_and_the_audit_trail(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    put(client, tokens["paris"])
    put(client, tokens["chartres"], sid="PAIO-24-001")
    client.post("/v1/declarations/2007/PAIO-24-001/validate", headers=bearer(tokens["centre"]))
    admin = bearer(tokens["admin"])
    listing = client.get("/v1/declarations/2007", headers=admin).get_json()
    assert listing["year"] == 2007
    assert listing["completeness"] == {
        "structures": 3,
        "submitted": 1,
        "validated": 1,
        "rejected": 0,
        "missing": 1,
    }
    assert [(d["structure_id"], d["status"]) for d in listing["declarations"]] == [
        ("ML-11-001", "submitted"),
        ("PAIO-24-001", "validated"),
    ]
    only = client.get("/v1/declarations/2007?status=validated&region=24", headers=admin).get_json()
    assert [d["structure_id"] for d in only["declarations"]] == ["PAIO-24-001"]
    assert client.get("/v1/declarations/2007?status=maybe", headers=admin).status_code == 400
    detail = client.get("/v1/declarations/2007/PAIO-24-001", headers=admin).get_json()
    assert [(h["action"], h["role"]) for h in detail["history"]] == [
        ("submitted", "structure"),
        ("validated", "validator"),
    ]
    assert detail["history"][0]["content"] == BODY
    assert detail["history"][1]["at"].endswith(("Z", "+00:00"))
    assert client.get("/v1/declarations/2007/ML-11-002", headers=admin).status_code == 404


def test_token_create_for_validator_and_structure(env: dict[str, str], registry: Any) -> None:
    from click.testing import CliRunner

    from cli.main import main

    runner = CliRunner()
    done = runner.invoke(main, ["token", "create", "--role", "validator", "--region", "11"])
    assert done.exit_code == 0, done.output
    assert done.output.strip().splitlines()[-1].startswith("bilan_")
    done = runner.invoke(
        main, ["token", "create", "--role", "structure", "--structure", "ML-11-001"]
    )
    assert done.exit_code == 0, done.output
    assert runner.invoke(main, ["token", "create", "--role", "validator"]).exit_code != 0
