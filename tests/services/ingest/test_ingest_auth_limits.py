"""Ingest: failed authentications limited per address (429 with Retry-After past the
limit); a source with a valid token keeps posting from that same address; while the shared
store is unreachable they are counted in the process, and /readyz says so."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from services.ingest import create_app
from shared.config import load_settings
from tests.support.events import event


def test_failures_then_429_but_valid_tokens_pass(env: dict[str, str], source_token: str) -> None:
    settings = replace(load_settings(), auth_failure_limit="2/minute")
    client = create_app({"NOTIFY": False, "SETTINGS": settings}).test_client()
    address = {"REMOTE_ADDR": "192.0.2.7"}

    def post(token: str, event_id: str) -> Any:
        return client.post(
            "/v1/events",
            json=[event(event_id)],
            headers={"Authorization": f"Bearer {token}"},
            environ_base=address,
        )

    assert [post("bilan_guess", "x").status_code for _ in range(2)] == [401, 401]
    refused = post("bilan_guess", "x")
    assert refused.status_code == 429
    assert refused.get_json()["error"] == "too_many_requests"
    assert int(refused.headers["Retry-After"]) >= 1
    for n in range(5):
        assert post(source_token, f"ok-{n}").status_code == 202
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'bilan_ingest_requests_total{method="POST",route="/v1/events",status="429"}' in metrics


def test_an_unreachable_store_counts_in_the_process(env: dict[str, str], source_token: str) -> None:
    settings = replace(
        load_settings(), auth_failure_limit="2/minute", rate_limit_storage="redis://127.0.0.1:1/0"
    )
    client = create_app({"NOTIFY": False, "SETTINGS": settings}).test_client()
    headers = {"Authorization": "Bearer bilan_guess"}
    statuses = [client.post("/v1/events", json=[], headers=headers).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    ok = {"Authorization": f"Bearer {source_token}"}
    assert client.post("/v1/events", json=[event("e")], headers=ok).status_code == 202
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert "per process" in ready.get_json()["degraded"]["auth_failure_limit"]
