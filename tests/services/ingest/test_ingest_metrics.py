"""GET /metrics: one charset, a request counter true to its help, latency histograms, the
rejected events by code and the pending events."""

from __future__ import annotations

from typing import Any

import pytest
from prometheus_client import REGISTRY

from services.ingest import create_app
from tests.support.events import event


@pytest.fixture
def client(env: dict[str, str], registry: Any) -> Any:
    return create_app({"NOTIFY": False}).test_client()


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_one_charset(client: Any) -> None:
    content_type = client.get("/metrics").headers["Content-Type"]
    assert content_type.count("charset") == 1
    assert content_type.startswith("text/plain; version=")


def test_requests_latency_rejections_and_pending(client: Any, source_token: str) -> None:
    auth = {"Authorization": f"Bearer {source_token}"}
    posted = {"route": "/v1/events", "method": "POST", "status": "202"}
    refused = {"route": "/v1/events", "method": "POST", "status": "422"}
    before = {
        "posted": sample("bilan_ingest_requests_total", **posted),
        "refused": sample("bilan_ingest_requests_total", **refused),
        "health": sample(
            "bilan_ingest_requests_total", route="/healthz", method="GET", status="200"
        ),
        "unmatched": sample(
            "bilan_ingest_requests_total", route="unmatched", method="GET", status="404"
        ),
        "timed": sample("bilan_ingest_request_seconds_count", route="/v1/events", method="POST"),
        "unknown": sample("bilan_ingest_events_rejected_total", code="unknown_structure"),
        "invalid": sample("bilan_ingest_events_rejected_total", code="invalid"),
    }
    assert (
        client.post("/v1/events", json=[event("m1"), event("m2")], headers=auth).status_code == 202
    )
    bad = [event("m3", structure="NOPE"), event("m4", structure="NOPE"), {"event_id": "m5"}]
    assert client.post("/v1/events", json=bad, headers=auth).status_code == 422
    assert client.get("/healthz").status_code == 200
    assert client.get("/nothing").status_code == 404
    text = client.get("/metrics").get_data(as_text=True)

    assert sample("bilan_ingest_requests_total", **posted) == before["posted"] + 1
    assert sample("bilan_ingest_requests_total", **refused) == before["refused"] + 1
    health = sample("bilan_ingest_requests_total", route="/healthz", method="GET", status="200")
    assert health == before["health"] + 1
    unmatched = sample("bilan_ingest_requests_total", route="unmatched", method="GET", status="404")
    assert unmatched == before["unmatched"] + 1
    timed = sample("bilan_ingest_request_seconds_count", route="/v1/events", method="POST")
    assert timed == before["timed"] + 2
    unknown = sample("bilan_ingest_events_rejected_total", code="unknown_structure")
    assert unknown == before["unknown"] + 2
    assert sample("bilan_ingest_events_rejected_total", code="invalid") == before["invalid"] + 1
    # Not applied (no worker here): both events are pending.
    assert "bilan_pending_events 2.0" in text


def test_openapi_tells_every_answer(client: Any) -> None:
    document = client.get("/openapi.json").get_json()
    post = document["paths"]["/v1/events"]["post"]
    assert post["operationId"] == "postEvents" and post["tags"] == ["events"]
    responses = post["responses"]
    assert {"405", "429"} <= set(responses)
    assert "Retry-After" in responses["429"]["headers"]
    assert "Retry-After" in responses["503"]["headers"]
    assert responses["405"]["headers"]["Allow"]["required"] is True
    for media in post["requestBody"]["content"].values():
        assert "example" in media
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids)) == 5
    metrics = document["paths"]["/metrics"]["get"]["responses"]["200"]
    assert "text/plain" in metrics["content"]
