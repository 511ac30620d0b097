"""The database fails during the COMMIT of a batch (SPEC §5), on the real PostgreSQL behind
a TCP proxy that cuts ingest's connection as it sends COMMIT: before the server gets it
(nothing recorded: 503), or after, dropping the server's answer (recorded, only the
acknowledgement lost: 202). When ingest cannot reach the database again to ask, it answers
503 with "outcome": "unknown", and a resend is safe either way."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from services.ingest import create_app
from shared.access.tokens import create_token
from shared.pipeline.checkpoints import installed
from shared.registry import upsert_structure
from shared.storage.db import engine_for, session_factory
from shared.storage.models.log import Batch, EventRow
from tests.support.events import STRUCTURES, event
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres


@pytest.fixture
def proxy(postgres_url: str) -> Iterator[TcpProxy]:
    target = make_url(postgres_url)
    proxy = TcpProxy(target.host or "127.0.0.1", target.port or 5432)
    yield proxy
    proxy.close()


@pytest.fixture
def ingest(postgres_url: str, proxy: TcpProxy, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Ingest on the proxied database (its questions after a failed COMMIT too), and a
    source token; COMMIT_CHECK_SECONDS shortened from SPEC's 10 s to 3 s."""
    sessions = session_factory(engine_for(postgres_url))
    with sessions.begin() as session:
        for structure_id, fields in STRUCTURES.items():
            upsert_structure(session, structure_id, fields)
        token = create_token(session, "source")
    proxied = make_url(postgres_url).set(host="127.0.0.1", port=proxy.port)
    url = proxied.render_as_string(hide_password=False)
    monkeypatch.setenv("BILAN_DATABASE_URL", url)
    monkeypatch.setenv("BILAN_BROKER_URL", "memory://")
    client = create_app({"NOTIFY": False, "COMMIT_CHECK_SECONDS": 3}).test_client()
    yield client, token, sessions
    engine_for(url).dispose()


def post(client: Any, token: str) -> Any:
    batch = [event("c-1"), event("c-2", youth="Y2")]
    return client.post("/v1/events", json=batch, headers={"Authorization": f"Bearer {token}"})


def recorded(sessions: Any) -> tuple[int, int]:
    with sessions() as session:
        return (
            session.scalar(select(func.count()).select_from(EventRow)),
            session.scalar(select(func.count()).select_from(Batch)),
        )


def cut_at_commit(proxy: TcpProxy, *, after_server_got_it: bool, then_refuse: bool = False):
    """A checkpoint hook: just before ingest's COMMIT, arm the proxy."""

    def hook(point: str) -> None:
        if point == "ingest:commit":
            proxy.cut_when_sent(b"COMMIT", after_server_got_it=after_server_got_it)
            proxy.refusing = then_refuse

    return installed(hook)


def test_a_lost_acknowledgement_of_a_commit_that_happened_is_a_202(ingest, proxy) -> None:
    client, token, sessions = ingest
    with cut_at_commit(proxy, after_server_got_it=True):
        answer = post(client, token)
    assert proxy.cut.is_set()  # the connection was really cut at the COMMIT
    assert answer.status_code == 202, answer.get_json()
    assert answer.get_json()["accepted"] == 2
    assert recorded(sessions) == (2, 1)
    again = post(client, token)
    assert (again.status_code, again.get_json()["duplicates"]) == (202, 2)


def test_a_commit_that_never_reached_the_server_is_a_503(ingest, proxy) -> None:
    client, token, sessions = ingest
    with cut_at_commit(proxy, after_server_got_it=False):
        answer = post(client, token)
    assert proxy.cut.is_set()
    assert answer.status_code == 503
    assert answer.headers["Retry-After"]
    assert "outcome" not in answer.get_json()
    assert recorded(sessions) == (0, 0)
    assert post(client, token).get_json()["accepted"] == 2  # the resend records it


@pytest.mark.parametrize("committed", [True, False], ids=["committed", "not-committed"])
def test_a_database_that_cannot_be_asked_again_is_an_unknown_outcome(
    ingest, proxy, committed: bool
) -> None:
    client, token, sessions = ingest
    with cut_at_commit(proxy, after_server_got_it=committed, then_refuse=True):
        answer = post(client, token)
    assert proxy.cut.is_set()
    assert answer.status_code == 503
    assert answer.headers["Retry-After"]
    body = answer.get_json()
    assert (body["error"], body["outcome"]) == ("unavailable", "unknown")
    assert recorded(sessions) == ((2, 1) if committed else (0, 0))
    proxy.refusing = False
    again = post(client, token).get_json()  # a resend is always safe
    assert (again["accepted"], again["duplicates"]) == ((0, 2) if committed else (2, 0))
    assert recorded(sessions)[0] == 2
