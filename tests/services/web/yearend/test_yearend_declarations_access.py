"""Declarations are read with a token only (SPEC §5): an admin, the validator of the
structure's current region, or that structure; the frozen report's aggregates stay public."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.support.declarations import DECLARATION
from tests.support.web import bearer

URL = "/v1/declarations/2007"


@pytest.fixture
def submitted(client: FlaskClient, tokens: dict[str, str]) -> dict[str, str]:
    """The tokens, once Paris and Chartres have submitted their 2007 declarations."""
    for name, sid in (("paris", "ML-11-001"), ("chartres", "PAIO-24-001")):
        response = client.put(f"{URL}/{sid}", json=DECLARATION, headers=bearer(tokens[name]))
        assert response.status_code == 201
    return tokens


def get(client: FlaskClient, url: str, token: str | None) -> Any:
    return client.get(url, headers=bearer(token) if token else {})


def listed(client: FlaskClient, token: str, query: str = "") -> list[str]:
    response = get(client, f"{URL}{query}", token)
    assert response.status_code == 200, response.get_json()
    return [d["structure_id"] for d in response.get_json()["declarations"]]


def test_no_token_no_declarations(client: FlaskClient, submitted: dict[str, str]) -> None:
    for url in (URL, f"{URL}/ML-11-001", f"{URL}/ML-11-002"):
        response = get(client, url, None)
        assert (response.status_code, response.get_json()["error"]) == (401, "unauthorized"), url
    response = get(client, URL, submitted["source"])
    assert (response.status_code, response.get_json()["error"]) == (403, "forbidden")
    assert get(client, f"{URL}/ML-11-001", submitted["source"]).status_code == 403


@pytest.mark.parametrize(
    ("name", "readable"),
    [
        ("admin", {"ML-11-001", "PAIO-24-001"}),
        ("paris", {"ML-11-001"}),
        ("chartres", {"PAIO-24-001"}),
        ("idf", {"ML-11-001"}),
        ("centre", {"PAIO-24-001"}),
    ],
)
def test_each_reads_its_own(
    client: FlaskClient, submitted: dict[str, str], name: str, readable: set[str]
) -> None:
    assert set(listed(client, submitted[name])) == readable
    for sid in ("ML-11-001", "PAIO-24-001"):
        response = get(client, f"{URL}/{sid}", submitted[name])
        assert response.status_code == (200 if sid in readable else 403), (name, sid)
        if sid in readable:
            assert response.get_json()["history"][0]["content"] == DECLARATION
    # Whether another structure has a declaration is not told to whom may not read it.
    if name in ("paris", "chartres"):
        assert get(client, f"{URL}/ML-11-002", submitted[name]).status_code == 403
    if name == "idf":
        assert get(client, f"{URL}/ML-11-002", submitted[name]).status_code == 404


def test_a_validator_may_not_list_another_region(
    client: FlaskClient, submitted: dict[str, str]
) -> None:
    assert listed(client, submitted["idf"], "?region=11") == ["ML-11-001"]
    response = get(client, f"{URL}?region=24", submitted["idf"])
    assert (response.status_code, response.get_json()["error"]) == (403, "forbidden_region")
    assert listed(client, submitted["admin"], "?region=24") == ["PAIO-24-001"]


def test_authority_follows_the_structures_current_region(
    client: FlaskClient, submitted: dict[str, str]
) -> None:
    moved = {"name": "Mission locale de Paris", "kind": "mission_locale", "region": "24"}
    response = client.put(
        "/v1/structures/ML-11-001", json=moved, headers=bearer(submitted["admin"])
    )
    assert response.status_code == 200
    detail = f"{URL}/ML-11-001"
    assert get(client, detail, submitted["idf"]).status_code == 403
    assert get(client, detail, submitted["centre"]).status_code == 200
    assert "ML-11-001" not in listed(client, submitted["idf"])
    assert set(listed(client, submitted["centre"])) == {"ML-11-001", "PAIO-24-001"}
    refused = client.post(f"{detail}/validate", headers=bearer(submitted["idf"]))
    assert (refused.status_code, refused.get_json()["error"]) == (403, "forbidden_region")
    validated = client.post(f"{detail}/validate", headers=bearer(submitted["centre"]))
    assert validated.get_json()["status"] == "validated"
