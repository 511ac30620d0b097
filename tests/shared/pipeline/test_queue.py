"""The notification channel on a Redis-protocol broker, without a Redis server
(fakeredis's TCP server): what ingest sends is what the workers consume."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace

import pytest
import redis

import shared.pipeline.queue as queue
from shared.config import load_settings
from shared.pipeline.queue import (
    APPLY_PENDING,
    CONSOLIDATE,
    PURGE_EXPIRED,
    SEND_MAILS,
    broker_reachable,
    notify_mails,
    notify_pending,
    notify_retention,
    send_consolidation,
)

# A process of its own: in the test process, state left by earlier tests made the
# threaded server drop connections.
_SERVE = """
from fakeredis import TcpFakeServer

server = TcpFakeServer(("127.0.0.1", 0), server_type="redis")
print(server.server_address[1], flush=True)
server.serve_forever()
"""


@pytest.fixture
def fake_redis_url() -> Iterator[str]:
    server = subprocess.Popen([sys.executable, "-c", _SERVE], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        url = f"redis://127.0.0.1:{int(server.stdout.readline())}/0"
        redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5).ping()
        yield url
    finally:
        server.terminate()
        server.wait(10)


def test_notification_is_one_apply_pending_task_on_the_queue(fake_redis_url) -> None:
    settings = replace(load_settings(), broker_url=fake_redis_url)
    assert broker_reachable(settings)
    assert notify_pending(settings)
    messages = redis.Redis.from_url(fake_redis_url).lrange("celery", 0, -1)
    assert len(messages) == 1
    assert json.loads(messages[0])["headers"]["task"] == APPLY_PENDING


def test_an_unreachable_broker_is_tolerated_and_not_retried_at_once(monkeypatch) -> None:
    settings = replace(load_settings(), broker_url="redis://127.0.0.1:1/0")
    assert not broker_reachable(settings)
    assert notify_pending(settings) is False  # logged; the sweep will apply the batch

    # Meanwhile further requests do not wait on the broker again…
    attempts: list = []

    def failing_client(_settings):
        attempts.append(_settings)
        raise ConnectionError("broker down")

    monkeypatch.setattr(queue, "_client", failing_client)
    assert notify_pending(settings) is False
    assert attempts == []
    # …until the pause is over.
    monkeypatch.setattr(queue, "_broker_down_until", {})
    assert notify_pending(settings) is False
    assert len(attempts) == 1


class _Broker:
    """The senders' app as far as the notifications use it: the tasks sent, or a failure."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, object, bool]] = []
        self.down = False

    def send_task(self, name: str, args: object = None, retry: bool = True) -> None:
        if self.down:
            raise ConnectionError("broker down")
        self.sent.append((name, args, retry))


def test_each_notification_sends_its_task_once_and_a_failure_says_what_the_sweep_does(
    monkeypatch, caplog
) -> None:
    settings = load_settings()
    broker = _Broker()
    monkeypatch.setattr(queue, "_client", lambda _settings: broker)
    assert send_consolidation(settings, 7) and notify_mails(settings) and notify_retention(settings)
    assert broker.sent == [
        (CONSOLIDATE, [7], False),
        (SEND_MAILS, None, False),
        (PURGE_EXPIRED, None, False),
    ]

    broker.down = True
    with caplog.at_level(logging.WARNING, logger=queue.__name__):
        assert send_consolidation(settings, 7) is False
        assert notify_mails(settings) is False
        assert notify_retention(settings) is False
    assert [record.getMessage() for record in caplog.records] == [
        "could not send consolidation 7 (broker down); the sweep will re-send it",
        "could not wake the mail sender (broker down); the sweep will send the mails",
        "could not ask for the retention's purge (broker down); the sweep will ask again",
    ]
