"""A real worker process on PostgreSQL + Redis: the broker is only a wake-up call."""

from __future__ import annotations

import os
import time

import pytest

from services.ingest import create_app
from shared.pipeline.live import pending_events, read_figures
from shared.registry import upsert_structure
from shared.storage.db import engine_for, session_factory
from tests.support.events import STRUCTURES, event, record
from tests.support.processes import Processes

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def stack(postgres_url, redis_url, tmp_path, monkeypatch):
    monkeypatch.setenv("BILAN_DATABASE_URL", postgres_url)
    monkeypatch.setenv("BILAN_BROKER_URL", redis_url)
    sessions = session_factory(engine_for(postgres_url))
    with sessions.begin() as session:
        for structure_id, fields in STRUCTURES.items():
            upsert_structure(session, structure_id, fields)
    processes = Processes({**os.environ, "PYTHONUNBUFFERED": "1"}, tmp_path)
    yield sessions, processes
    processes.stop_all()


def wait_applied(sessions, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with sessions() as session:
            if pending_events(session) == 0:
                return
        time.sleep(0.2)
    raise AssertionError("batches still pending")


def test_a_batch_whose_message_was_lost_is_applied_by_the_sweep(stack) -> None:
    sessions, processes = stack
    # Recorded as ingest does, but the notification never sent (a broker outage).
    with sessions.begin() as session:
        record(session, [event("a"), event("b", youth="Y2")])
    # Swept every 0.5 s instead of 5 s: the test takes about a second.
    processes.env = {**processes.env, "BILAN_SWEEP_SECONDS": "0.5"}
    processes.start("worker", "worker")
    wait_applied(sessions)
    with sessions() as session:
        assert read_figures(session, "2007", "national")["youths_interviewed"] == 2


def test_readyz_checks_database_and_broker(stack) -> None:
    client = create_app().test_client()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": True, "broker": True}


def test_readyz_503_when_the_broker_is_down(stack, monkeypatch) -> None:
    monkeypatch.setenv("BILAN_BROKER_URL", "redis://127.0.0.1:1/0")
    client = create_app().test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["broker"] is False
