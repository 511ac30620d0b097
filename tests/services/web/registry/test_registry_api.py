"""GET /v1/structures and PUT /v1/structures/{id}: listing, auth, validation, create/update."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from shared.access.tokens import create_token
from tests.support.web import bearer

NEW = {"name": "Mission locale de Rennes", "kind": "mission_locale", "region": "53"}


def listed(client: FlaskClient, query: str = "") -> list[dict[str, Any]]:
    response = client.get(f"/v1/structures{query}")
    assert response.status_code == 200
    return response.get_json()["structures"]


def test_list_structures(client: FlaskClient) -> None:
    body = client.get("/v1/structures").get_json()
    assert list(body) == ["structures"]
    assert body["structures"] == [
        {
            "structure_id": "ML-11-001",
            "name": "Mission locale de Paris",
            "kind": "mission_locale",
            "region": "11",
            "opened_on": None,
            "closed_on": None,
        },
        {
            "structure_id": "ML-11-002",
            "name": "Mission locale de Créteil",
            "kind": "mission_locale",
            "region": "11",
            "opened_on": None,
            "closed_on": None,
        },
        {
            "structure_id": "PAIO-24-001",
            "name": "PAIO de Chartres",
            "kind": "paio",
            "region": "24",
            "opened_on": None,
            "closed_on": None,
        },
    ]


def test_list_structures_of_a_region(client: FlaskClient) -> None:
    assert [s["structure_id"] for s in listed(client, "?region=11")] == ["ML-11-001", "ML-11-002"]
    assert [s["structure_id"] for s in listed(client, "?region=24")] == ["PAIO-24-001"]
    assert listed(client, "?region=94") == []
    response = client.get("/v1/structures?region=")
    assert (response.status_code, response.get_json()["error"]) == (400, "invalid_parameter")


def test_list_structures_of_an_unknown_region_is_404(client: FlaskClient) -> None:
    response = client.get("/v1/structures?region=99")
    assert response.status_code == 404
    assert response.get_json()["error"] == "unknown_region"


def test_put_creates_then_updates(client: FlaskClient, admin_token: str) -> None:
    response = client.put("/v1/structures/ML-53-001", json=NEW, headers=bearer(admin_token))
    assert response.status_code == 201
    assert response.headers["Location"] == "/v1/structures/ML-53-001"
    assert response.get_json() == {
        "structure_id": "ML-53-001",
        **NEW,
        "opened_on": None,
        "closed_on": None,
        "email": None,  # an admin reads it
    }

    update = {
        **NEW,
        "name": "Mission locale du bassin rennais",
        "opened_on": "1990-09-01",
        "closed_on": "2008-06-30",
    }
    response = client.put("/v1/structures/ML-53-001", json=update, headers=bearer(admin_token))
    assert response.status_code == 200
    assert "Location" not in response.headers
    document = response.get_json()
    assert document["name"] == "Mission locale du bassin rennais"
    assert (document["opened_on"], document["closed_on"]) == ("1990-09-01", "2008-06-30")

    public = {key: value for key, value in document.items() if key != "email"}
    assert listed(client, "?region=53") == [public]
    assert len(listed(client)) == 4


def test_put_can_clear_dates_and_move_region(client: FlaskClient, admin_token: str) -> None:
    headers = bearer(admin_token)
    dated = {**NEW, "opened_on": "1990-09-01"}
    assert client.put("/v1/structures/X1", json=dated, headers=headers).status_code == 201
    moved = {**NEW, "region": "52", "kind": "paio"}
    document = client.put("/v1/structures/X1", json=moved, headers=headers).get_json()
    assert (document["region"], document["kind"], document["opened_on"]) == ("52", "paio", None)
    assert listed(client, "?region=53") == []


def test_created_structure_is_a_figures_scope(client: FlaskClient, admin_token: str) -> None:
    assert client.get("/v1/figures?year=2007&structure=ML-53-001").status_code == 404
    client.put("/v1/structures/ML-53-001", json=NEW, headers=bearer(admin_token))
    response = client.get("/v1/figures?year=2007&structure=ML-53-001")
    assert response.status_code == 200
    assert response.get_json()["figures"]["youths_in_contact"] == 0


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer bilan_not-a-token"},
        {"Authorization": "Basic YWRtaW46YWRtaW4="},
    ],
)
def test_put_without_a_valid_token_is_401(
    client: FlaskClient, admin_token: str, headers: dict[str, str]
) -> None:
    response = client.put("/v1/structures/ML-53-001", json=NEW, headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"
    assert len(listed(client)) == 3


@pytest.mark.parametrize(
    ("role", "structures", "region"),
    [("source", [], None), ("validator", [], "11"), ("structure", ["ML-11-001"], None)],
)
def test_put_with_another_role_is_403(
    client: FlaskClient,
    sessions: sessionmaker[Session],
    role: str,
    structures: list[str],
    region: str | None,
) -> None:
    with sessions.begin() as session:
        token = create_token(session, role, structures, region)
    response = client.put("/v1/structures/ML-11-001", json=NEW, headers=bearer(token))
    assert response.status_code == 403
    assert response.get_json()["error"] == "forbidden"
    assert listed(client, "?region=11")[0]["name"] == "Mission locale de Paris"


def test_auth_is_checked_before_the_body(client: FlaskClient, source_token: str) -> None:
    assert client.put("/v1/structures/X", data="{").status_code == 401
    assert client.put("/v1/structures/X", data="{", headers=bearer(source_token)).status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {**NEW, "colour": "blue"},
        {"kind": "paio", "region": "11"},
        {**NEW, "name": ""},
        {**NEW, "name": "x" * 201},
        {**NEW, "kind": "agence"},
        {**NEW, "region": 11},
        {**NEW, "opened_on": "01/09/1990"},
        {**NEW, "opened_on": "1990-02-30"},
        {**NEW, "region": "99"},
        {**NEW, "opened_on": "2008-01-01", "closed_on": "2007-12-31"},
        ["not", "an", "object"],
        "a string",
        None,
    ],
)
def test_invalid_body_is_422(client: FlaskClient, admin_token: str, body: Any) -> None:
    response = client.put(
        "/v1/structures/ML-53-001",
        data=json.dumps(body),
        headers={**bearer(admin_token), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    error = response.get_json()
    assert error["error"] == "invalid"
    assert error["message"]
    assert len(listed(client)) == 3


def test_invalid_structure_id_is_422(client: FlaskClient, admin_token: str) -> None:
    for structure_id in ("with%20space", "x" * 33, "caf%C3%A9"):
        response = client.put(
            f"/v1/structures/{structure_id}", json=NEW, headers=bearer(admin_token)
        )
        assert response.status_code == 422, structure_id
        assert response.get_json()["error"] == "invalid"
    assert len(listed(client)) == 3


def test_invalid_update_changes_nothing(client: FlaskClient, admin_token: str) -> None:
    bad = {**NEW, "region": "99"}
    response = client.put("/v1/structures/ML-11-001", json=bad, headers=bearer(admin_token))
    assert response.status_code == 422
    assert listed(client, "?region=11")[0]["name"] == "Mission locale de Paris"


@pytest.mark.parametrize("data", ["{", "", "{'name': 'x'}", "nul", b"\xff\xfe"])
def test_malformed_json_is_400(client: FlaskClient, admin_token: str, data: Any) -> None:
    response = client.put(
        "/v1/structures/ML-53-001",
        data=data,
        headers={**bearer(admin_token), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.get_json()["error"] == "malformed"


def test_wrong_methods_answer_json_405(client: FlaskClient) -> None:
    response = client.post("/v1/structures/ML-11-001", json=NEW)
    assert response.status_code == 405
    assert response.get_json()["error"] == "method_not_allowed"
    assert client.delete("/v1/structures/ML-11-001").status_code == 405


def _email_of(client: FlaskClient, token: str | None, structure: str = "ML-11-001") -> Any:
    headers = bearer(token) if token else {}
    response = client.get("/v1/structures", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    (found,) = [s for s in response.get_json()["structures"] if s["structure_id"] == structure]
    return found.get("email", "absent")


def test_the_contact_address_is_set_kept_and_removed(
    client: FlaskClient, sessions: sessionmaker[Session], admin_token: str
) -> None:
    paris = {"name": "Mission locale de Paris", "kind": "mission_locale", "region": "11"}
    put = client.put(
        "/v1/structures/ML-11-001",
        json={**paris, "email": "direction@ml-paris.example.org"},
        headers=bearer(admin_token),
    )
    assert (put.status_code, put.get_json()["email"]) == (200, "direction@ml-paris.example.org")
    # Absent: unchanged (a PUT of the other fields keeps it).
    put = client.put(
        "/v1/structures/ML-11-001",
        json={**paris, "name": "ML de Paris"},
        headers=bearer(admin_token),
    )
    assert put.get_json()["email"] == "direction@ml-paris.example.org"
    assert _email_of(client, admin_token) == "direction@ml-paris.example.org"
    # null: removed.
    put = client.put(
        "/v1/structures/ML-11-001", json={**paris, "email": None}, headers=bearer(admin_token)
    )
    assert put.get_json()["email"] is None
    assert _email_of(client, admin_token) is None


@pytest.mark.parametrize(
    ("email", "says"),
    [
        ("direction", "Expected `str` matching regex"),
        ("root@localhost", "Expected `str` matching regex"),
        ("a" * 250 + "@ml.fr", "Expected `str` of length <= 254"),
        (12, "Expected `str | null`, got `int`"),
    ],
)
def test_a_malformed_address_is_refused_and_changes_nothing(
    client: FlaskClient, sessions: sessionmaker[Session], admin_token: str, email: Any, says: str
) -> None:
    body = {"name": "Mission locale de Paris", "kind": "mission_locale", "region": "11"}
    response = client.put(
        "/v1/structures/ML-11-001", json={**body, "email": email}, headers=bearer(admin_token)
    )
    assert response.status_code == 422
    answer = response.get_json()
    assert answer["error"] == "invalid"
    assert says in answer["message"] and "$.email" in answer["message"]
    assert _email_of(client, admin_token) is None


def test_the_address_is_shown_to_admins_and_to_its_structure_only(
    client: FlaskClient, sessions: sessionmaker[Session], admin_token: str
) -> None:
    body = {"name": "Mission locale de Paris", "kind": "mission_locale", "region": "11"}
    address = "direction@ml-paris.example.org"
    assert (
        client.put(
            "/v1/structures/ML-11-001", json={**body, "email": address}, headers=bearer(admin_token)
        ).status_code
        == 200
    )
    with sessions.begin() as session:
        paris = create_token(session, "structure", ["ML-11-001"])
        creteil = create_token(session, "structure", ["ML-11-002"])
        validator = create_token(session, "validator", region="11")
        source = create_token(session, "source")
    assert _email_of(client, admin_token) == address
    assert _email_of(client, paris) == address
    assert _email_of(client, paris, "ML-11-002") == "absent"
    for token in (None, creteil, validator, source):
        assert _email_of(client, token) == "absent", token
    unknown = client.get("/v1/structures", headers=bearer("bilan_not_a_token"))
    assert (unknown.status_code, unknown.get_json()["error"]) == (401, "unauthorized")
