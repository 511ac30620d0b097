"""A COMMIT that fails (SPEC §5): ingest asks whether it took effect and answers 202 if it
did, 503 if it certainly did not, 503 with "outcome": "unknown" if it could not tell in
time. Here on SQLite, the COMMIT made to fail by the session's events; on PostgreSQL with
a broken connection in tests/integration/test_commit_outcome.py."""

from __future__ import annotations

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

import shared.storage.commit_outcome
from services.ingest import create_app
from shared.storage.models.log import Batch, EventRow
from tests.support.events import event


def connection_lost(*_args: object) -> None:
    raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))


@pytest.fixture
def app(env, registry):
    return create_app({"NOTIFY": False, "COMMIT_CHECK_SECONDS": 0.5})


def post(app, token: str, event_id: str = "a"):
    return app.test_client().post(
        "/v1/events", json=[event(event_id)], headers={"Authorization": f"Bearer {token}"}
    )


def recorded(sessions) -> tuple[int, int]:
    with sessions() as session:
        events = session.scalar(select(func.count()).select_from(EventRow))
        batches = session.scalar(select(func.count()).select_from(Batch))
    return events, batches


def test_a_commit_whose_acknowledgement_is_lost_is_a_202(app, source_token, sessions) -> None:
    sa_event.listen(app.extensions["sessions"], "after_commit", connection_lost)
    answer = post(app, source_token)
    assert answer.status_code == 202, answer.get_json()
    assert answer.get_json()["accepted"] == 1
    assert recorded(sessions) == (1, 1)
    sa_event.remove(app.extensions["sessions"], "after_commit", connection_lost)
    again = post(app, source_token)
    assert (again.status_code, again.get_json()["duplicates"]) == (202, 1)


def test_a_commit_that_did_not_happen_is_a_503(app, source_token, sessions) -> None:
    sa_event.listen(app.extensions["sessions"], "before_commit", connection_lost)
    answer = post(app, source_token)
    assert answer.status_code == 503
    assert answer.headers["Retry-After"]
    assert "outcome" not in answer.get_json()
    assert recorded(sessions) == (0, 0)


def test_a_commit_that_cannot_be_asked_about_is_a_503_unknown(
    app, source_token, sessions, monkeypatch
) -> None:
    sa_event.listen(app.extensions["sessions"], "before_commit", connection_lost)
    asked = []

    def unreachable(_pending: object) -> None:
        asked.append(1)
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(shared.storage.commit_outcome, "_ask", unreachable)
    answer = post(app, source_token)
    assert answer.status_code == 503
    assert answer.headers["Retry-After"]
    body = answer.get_json()
    assert (body["error"], body["outcome"]) == ("unavailable", "unknown")
    assert asked  # it did ask before giving up


def test_the_openapi_document_describes_the_unknown_outcome(app) -> None:
    document = app.test_client().get("/openapi.json").get_json()
    unavailable = document["paths"]["/v1/events"]["post"]["responses"]["503"]
    reference = unavailable["content"]["application/json"]["schema"]["$ref"]
    schema = document["components"]["schemas"][reference.rsplit("/", 1)[1]]
    assert schema["properties"]["outcome"]["enum"] == ["unknown"]
    assert "outcome" not in schema["required"]
    assert "Retry-After" in unavailable["headers"]
