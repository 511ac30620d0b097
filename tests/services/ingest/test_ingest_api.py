"""POST /v1/events over HTTP: every answer of SPEC §5, and nothing recorded on errors."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from services.ingest import create_app
from shared.access.tokens import create_token
from shared.figures import COUNTED
from shared.storage.models.counters import FigureCounts
from shared.storage.models.log import Batch, EventRow
from tests.conftest import apply_all, event


@pytest.fixture
def client(env, registry):
    app = create_app({"NOTIFY": False})
    return app.test_client()


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def log_size(sessions) -> tuple[int, int]:
    with sessions() as session:
        return (
            session.scalar(select(func.count()).select_from(EventRow)),
            session.scalar(select(func.count()).select_from(Batch)),
        )


def figures(sessions) -> dict:
    """Every live counter, once every recorded batch is applied."""
    apply_all(sessions)
    with sessions() as session:
        return {
            (row.period, row.scope): tuple(getattr(row, key) for key in COUNTED)
            for row in session.scalars(select(FigureCounts))
        }


def test_json_array_is_recorded(client, source_token, sessions) -> None:
    response = client.post("/v1/events", json=[event("a"), event("b")], headers=auth(source_token))
    assert response.status_code == 202
    body = response.get_json()
    assert (body["accepted"], body["duplicates"]) == (2, 0) and body["batch_id"]
    assert log_size(sessions) == (2, 1)


def test_envelope_and_ndjson_are_accepted(client, source_token, sessions) -> None:
    response = client.post("/v1/events", json={"events": [event("a")]}, headers=auth(source_token))
    assert response.status_code == 202
    ndjson = "\n".join(json.dumps(e) for e in [event("a"), event("b")]) + "\n"
    response = client.post(
        "/v1/events", data=ndjson, content_type="application/x-ndjson", headers=auth(source_token)
    )
    assert response.status_code == 202
    assert (response.get_json()["accepted"], response.get_json()["duplicates"]) == (1, 1)


def test_resent_batch_is_all_duplicates(client, source_token, sessions) -> None:
    batch = [event("a"), event("b")]
    client.post("/v1/events", json=batch, headers=auth(source_token))
    response = client.post("/v1/events", json=batch, headers=auth(source_token))
    assert response.status_code == 202
    assert (response.get_json()["accepted"], response.get_json()["duplicates"]) == (0, 2)
    assert log_size(sessions)[0] == 2


def test_invalid_events_422_lists_each_error(client, source_token, sessions) -> None:
    client.post("/v1/events", json=[event("a")], headers=auth(source_token))
    before = log_size(sessions), figures(sessions)
    response = client.post(
        "/v1/events",
        json=[
            event("ok"),
            event("a", youth="other"),
            event("s", structure="NOPE"),
            {"event_id": "x"},
        ],
        headers=auth(source_token),
    )
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "invalid_events"
    assert [(e["index"], e["event_id"], e["code"]) for e in body["errors"]] == [
        (1, "a", "conflict"),
        (2, "s", "unknown_structure"),
        (3, "x", "invalid"),
    ]
    assert all(e["message"] for e in body["errors"])
    assert (log_size(sessions), figures(sessions)) == before


def test_forbidden_structure(client, sessions, registry) -> None:
    with sessions.begin() as session:
        token = create_token(session, "source", ["ML-11-001"])
    response = client.post(
        "/v1/events", json=[event("a", structure="ML-11-002")], headers=auth(token)
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["code"] == "forbidden_structure"
    assert log_size(sessions) == (0, 0)
    assert figures(sessions) == {}


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"Authorization": "Bearer nope"}, 401), ({"Authorization": "Basic abc"}, 401)],
)
def test_missing_or_unknown_token_401(client, sessions, headers, status) -> None:
    response = client.post("/v1/events", json=[event("a")], headers=headers)
    assert response.status_code == status
    assert response.get_json()["error"] == "unauthorized"
    assert log_size(sessions) == (0, 0)
    assert figures(sessions) == {}


def test_wrong_role_403(client, sessions, registry) -> None:
    with sessions.begin() as session:
        token = create_token(session, "validator", region="11")
    response = client.post("/v1/events", json=[event("a")], headers=auth(token))
    assert response.status_code == 403
    assert log_size(sessions) == (0, 0)
    assert figures(sessions) == {}


@pytest.mark.parametrize(
    "body",
    [b"[{", b"42", b'{"other": []}', b'{"events": 3}', b"", b'"text"'],
)
def test_malformed_body_400(client, source_token, sessions, body) -> None:
    response = client.post(
        "/v1/events", data=body, content_type="application/json", headers=auth(source_token)
    )
    assert response.status_code == 400
    assert response.get_json()["error"] == "malformed"
    assert log_size(sessions) == (0, 0)
    assert figures(sessions) == {}


def test_bad_ndjson_line_400(client, source_token, sessions) -> None:
    data = json.dumps(event("a")) + "\n{not json\n"
    response = client.post(
        "/v1/events", data=data, content_type="application/x-ndjson", headers=auth(source_token)
    )
    assert response.status_code == 400
    assert "line 2" in response.get_json()["message"]
    assert log_size(sessions) == (0, 0)
    assert figures(sessions) == {}


def test_other_content_type_415(client, source_token, sessions) -> None:
    response = client.post(
        "/v1/events", data="a,b", content_type="text/csv", headers=auth(source_token)
    )
    assert response.status_code == 415
    assert log_size(sessions) == (0, 0)
    assert figures(sessions) == {}


def test_more_than_10000_events_413(client, source_token, sessions) -> None:
    events = [event(f"e{i}") for i in range(10_001)]
    response = client.post("/v1/events", json=events, headers=auth(source_token))
    assert response.status_code == 413
    assert log_size(sessions) == (0, 0)
    assert figures(sessions) == {}


def test_more_than_10_mib_413(client, source_token, sessions) -> None:
    body = b"[" + b" " * (10 * 1024 * 1024) + b"]"
    response = client.post(
        "/v1/events", data=body, content_type="application/json", headers=auth(source_token)
    )
    assert response.status_code == 413
    assert log_size(sessions) == (0, 0)
    assert figures(sessions) == {}


def test_storage_unavailable_503_with_retry_after(
    client, source_token, sessions, monkeypatch
) -> None:
    import shared.pipeline.ingestion as ingestion

    def broken(*_args, **_kwargs):
        raise OperationalError("INSERT", {}, Exception("database is down"))

    monkeypatch.setattr(ingestion, "record_events", broken)
    response = client.post("/v1/events", json=[event("a")], headers=auth(source_token))
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert log_size(sessions) == (0, 0)
    assert figures(sessions) == {}


def test_accepted_batch_notifies_the_workers(env, registry, source_token, monkeypatch) -> None:
    import services.ingest.events as events_module

    calls = []
    monkeypatch.setattr(events_module, "notify_pending", lambda settings: calls.append(settings))
    client = create_app().test_client()
    client.post("/v1/events", json=[event("a")], headers=auth(source_token))
    client.post("/v1/events", json=[event("a")], headers=auth(source_token))  # nothing new
    assert len(calls) == 1


def test_health_and_metrics(client, source_token) -> None:
    assert client.get("/healthz").status_code == 200
    client.post("/v1/events", json=[event("a")], headers=auth(source_token))
    metrics = client.get("/metrics").get_data(as_text=True)
    assert "bilan_ingest_events_accepted_total" in metrics


def test_openapi_describes_the_event_schema(client) -> None:
    document = client.get("/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    schemas = document["components"]["schemas"]
    assert {"Outcome", "CivisExit", "Retraction"} <= set(schemas)
    assert "outcome" in schemas["Outcome"]["required"]
    assert schemas["Interview"]["additionalProperties"] is False
    assert set(document["paths"]["/v1/events"]["post"]["responses"]) >= {
        "202",
        "400",
        "401",
        "403",
        "413",
        "415",
        "422",
        "503",
    }
