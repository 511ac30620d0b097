"""POST /v1/events against hostile bodies: a precise 400/413/422, bounded memory, nothing
recorded (SPEC §5, §7.4)."""

from __future__ import annotations

import json
import tracemalloc

import pytest
from sqlalchemy import func, select

from services.ingest import create_app
from services.ingest.body import TooManyEvents, decode_body
from shared.events import MAX_REQUEST_BYTES
from shared.storage.models.log import EventRow
from tests.support.events import event

MIB = 1024 * 1024


@pytest.fixture
def client(env, registry):
    return create_app({"NOTIFY": False}).test_client()


@pytest.fixture
def post(client, source_token, sessions):
    """POST a raw body; check afterwards that nothing was recorded."""

    def send(body: bytes, content_type: str = "application/json"):
        response = client.post(
            "/v1/events",
            data=body,
            content_type=content_type,
            headers={"Authorization": f"Bearer {source_token}"},
        )
        with sessions() as session:
            assert session.scalar(select(func.count()).select_from(EventRow)) == 0
        return response

    return send


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize(
    "body, content_type",
    [
        (nested(100_000), "application/json"),
        (b'{"events": ' + nested(100_000) + b"}", "application/json"),
        (nested(100_000) + b"\n", "application/x-ndjson"),
        (
            json.dumps([{**event("a"), "youth": {}}])[:-3].encode()
            + b'{"sex": '
            + nested(50_000)
            + b"}}]",
            "application/json",
        ),
    ],
    ids=["array", "envelope", "ndjson-line", "inside-an-event"],
)
def test_deeply_nested_json_is_malformed_not_a_crash(post, body, content_type) -> None:
    response = post(body, content_type)
    assert response.status_code in (400, 422)
    assert response.get_json()["error"] in ("malformed", "invalid_events")


@pytest.mark.parametrize("content_type", ["application/json", "application/x-ndjson"])
def test_invalid_utf8_is_400(post, content_type) -> None:
    line = json.dumps(event("a", youth="Y1")).encode().replace(b"Y1", b"Y\xff")
    body = line if content_type.endswith("ndjson") else b"[" + line + b"]"
    response = post(body, content_type)
    assert response.status_code == 400
    assert response.get_json()["error"] == "malformed"


@pytest.mark.parametrize(
    "field, value",
    [("event_id", "nl-1\n"), ("structure_id", "ML-11-001\n"), ("youth_id", "Y1\n"),
     ("event_id", "nul\x00"), ("retracts", "a\n")],
)  # fmt: skip
def test_ids_with_a_trailing_newline_or_nul_are_invalid(post, field, value) -> None:
    kind = "retraction" if field == "retracts" else "interview"
    bad = {**event("x", kind, **({"retracts": "y"} if kind == "retraction" else {})), field: value}
    response = post(json.dumps([event("ok"), bad]).encode())
    assert response.status_code == 422
    (error,) = response.get_json()["errors"]
    assert (error["index"], error["code"]) == (1, "invalid")
    assert field in error["message"]


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"{}\n" * ((10 * MIB) // 3), "application/x-ndjson"),
        (b"[" + b"{}," * ((10 * MIB) // 3 - 1) + b"{}]", "application/json"),
        (b"[" + b"1," * ((10 * MIB) // 2 - 2) + b"1]", "application/json"),
    ],
    ids=["ndjson", "array", "numbers"],
)
def test_millions_of_tiny_elements_cost_a_few_times_the_body(body, content_type) -> None:
    """Counted before decoding: refused (413) with memory of the order of the body."""
    assert len(body) <= MAX_REQUEST_BYTES
    tracemalloc.start()
    try:
        with pytest.raises(TooManyEvents):
            decode_body(body, content_type)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 3 * len(body), f"peak {peak / MIB:.0f} MiB for a {len(body) / MIB:.0f} MiB body"


def test_too_many_tiny_elements_is_413(post) -> None:
    response = post(b"{}\n" * 20_000, "application/x-ndjson")
    assert response.status_code == 413
    assert response.get_json()["error"] == "too_large"


def test_ndjson_line_that_is_not_json_names_its_line(post) -> None:
    body = json.dumps(event("a")).encode() + b"\n\n\n{not json}\n"
    response = post(body, "application/x-ndjson")
    assert response.status_code == 400
    assert "line 4" in response.get_json()["message"]


def test_ndjson_line_holding_two_events_is_malformed(post) -> None:
    two = json.dumps(event("a")) + ", " + json.dumps(event("b"))
    response = post(two.encode(), "application/x-ndjson")
    assert response.status_code == 400
