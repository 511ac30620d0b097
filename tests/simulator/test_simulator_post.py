"""Posting events: batches, parallel clients, retries of the same batch, errors, NDJSON."""

from __future__ import annotations

import io
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from simulator.post import (
    EstimatedBar,
    PostError,
    events_url,
    post_events,
    shuffled,
    write_ndjson,
)


def make_events(n: int) -> list[dict[str, Any]]:
    return [
        {
            "event_id": f"e-{i}",
            "type": "interview",
            "occurred_on": "2007-03-15",
            "structure_id": "ML-11-001",
            "youth_id": f"Y{i % 17}",
        }
        for i in range(n)
    ]


class FakeIngest:
    """An ingest that records what it receives, answering by a script of statuses."""

    def __init__(self, failures: dict[int, list[Any]] | None = None) -> None:
        self.failures = failures or {}  # request number -> what to do instead of 202
        self.requests: list[httpx.Request] = []
        self.seen: Counter[str] = Counter()
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            number = len(self.requests)
            self.requests.append(request)
        for failure in self.failures.get(number, []):
            if failure == "connect":
                raise httpx.ConnectError("connection refused", request=request)
            return httpx.Response(
                failure,
                json={"error": "unavailable", "message": "try later"},
                headers={"Retry-After": "0"},
            )
        batch = json.loads(request.content)
        with self.lock:
            new = [e for e in batch if self.seen[e["event_id"]] == 0]
            for e in batch:
                self.seen[e["event_id"]] += 1
        return httpx.Response(
            202,
            json={
                "batch_id": str(number),
                "accepted": len(new),
                "duplicates": len(batch) - len(new),
            },
        )


def test_batches_are_json_arrays_with_the_token_and_every_event_arrives_once() -> None:
    ingest = FakeIngest()
    report = post_events(
        make_events(2500),
        "http://ingest:8081",
        "s3cret",
        batch_size=1000,
        clients=3,
        progress=False,
        transport=httpx.MockTransport(ingest),
    )
    assert (report.events, report.batches, report.accepted, report.duplicates) == (2500, 3, 2500, 0)
    assert sorted(len(json.loads(r.content)) for r in ingest.requests) == [500, 1000, 1000]
    for request in ingest.requests:
        assert str(request.url) == "http://ingest:8081/v1/events"
        assert request.headers["Authorization"] == "Bearer s3cret"
        assert request.headers["Content-Type"] == "application/json"
    assert set(ingest.seen.values()) == {1} and len(ingest.seen) == 2500


def test_the_same_batch_is_sent_again_after_503_and_connection_errors() -> None:
    ingest = FakeIngest({0: [503], 1: ["connect"], 2: [503]})
    report = post_events(
        make_events(100),
        "http://ingest/v1/events",
        "t",
        batch_size=100,
        clients=1,
        progress=False,
        backoff=0.01,
        transport=httpx.MockTransport(ingest),
    )
    assert report.retries == 3 and report.accepted == 100 and report.batches == 1
    assert len({r.content for r in ingest.requests}) == 1, "the very same body every time"


def test_a_4xx_stops_everything_and_shows_the_body() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            422,
            json={
                "error": "invalid_events",
                "errors": [
                    {
                        "index": 0,
                        "event_id": "e-0",
                        "code": "unknown_structure",
                        "message": "no ML-11-001",
                    }
                ],
            },
        )

    with pytest.raises(PostError, match=r"422.*unknown_structure"):
        post_events(
            make_events(50),
            "http://ingest",
            "t",
            batch_size=10,
            clients=2,
            progress=False,
            transport=httpx.MockTransport(refuse),
        )


def test_giving_up_after_max_attempts() -> None:
    ingest = FakeIngest({i: [503] for i in range(10)})
    with pytest.raises(PostError, match="failed 3 times"):
        post_events(
            make_events(5),
            "http://ingest",
            "t",
            clients=1,
            progress=False,
            backoff=0.0,
            max_attempts=3,
            transport=httpx.MockTransport(ingest),
        )


def test_resent_batches_come_back_as_duplicates() -> None:
    ingest = FakeIngest()
    report = post_events(
        make_events(300),
        "http://ingest",
        "t",
        batch_size=50,
        clients=2,
        resend=1.0,
        progress=False,
        transport=httpx.MockTransport(ingest),
    )
    assert (report.batches, report.resent_batches, report.events) == (6, 6, 300)
    assert (report.accepted, report.duplicates) == (300, 300)
    assert set(ingest.seen.values()) == {2}


def test_shuffle_keeps_every_event_within_its_window() -> None:
    events = make_events(1000)
    mixed = list(shuffled(events, 100, seed=1))
    assert mixed != events and sorted(e["event_id"] for e in mixed) == sorted(
        e["event_id"] for e in events
    )
    assert mixed == list(shuffled(events, 100, seed=1))
    position = {e["event_id"]: i for i, e in enumerate(mixed)}
    assert all(position[e["event_id"]] >= i - 100 for i, e in enumerate(events))
    assert list(shuffled(events, 0)) == events


def test_rate_limits_the_events_per_second() -> None:
    ingest = FakeIngest()
    started = time.monotonic()
    post_events(
        make_events(800),
        "http://ingest",
        "t",
        batch_size=1000,
        rate=400.0,
        clients=1,
        progress=False,
        transport=httpx.MockTransport(ingest),
    )
    assert time.monotonic() - started >= 0.95  # the second batch of 400 waits a second
    assert [len(json.loads(r.content)) for r in ingest.requests] == [400, 400]


def test_events_url() -> None:
    assert events_url("http://localhost:8081") == "http://localhost:8081/v1/events"
    assert events_url("http://localhost:8081/") == "http://localhost:8081/v1/events"
    assert events_url("https://x.example/v1/events") == "https://x.example/v1/events"


@pytest.fixture
def http_ingest() -> Iterator[tuple[str, list[bytes]]]:
    """A real HTTP server: 503 on the first request, then 202."""
    bodies: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            bodies.append(body)
            status, answer = (
                (503, {"error": "unavailable"})
                if len(bodies) == 1
                else (202, {"batch_id": "b", "accepted": len(json.loads(body)), "duplicates": 0})
            )
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Retry-After", "0")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", bodies
    server.shutdown()
    server.server_close()


def test_over_real_http(http_ingest: tuple[str, list[bytes]]) -> None:
    url, bodies = http_ingest
    report = post_events(
        make_events(250), url, "t", batch_size=100, clients=2, progress=False, backoff=0.01
    )
    assert report.events == 250 and report.accepted == 250 and report.retries == 1
    assert sorted(e["event_id"] for b in bodies[1:] for e in json.loads(b)) == sorted(
        f"e-{i}" for i in range(250)
    )


def test_write_ndjson(tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    events = make_events(25_001)
    assert write_ndjson(iter(events), path, progress=False) == 25_001
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == events


def test_progress_never_shows_more_than_its_total(capsys: pytest.CaptureFixture[str]) -> None:
    # The total is an estimate: 120 events where 100 were expected (a resumed demo).
    ingest = FakeIngest()
    post_events(
        iter(make_events(120)), "http://ingest.test", "t", batch_size=10, clients=1,
        total=100, progress=True, transport=httpx.MockTransport(ingest),
    )  # fmt: skip
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("posting")]
    assert lines and lines[-1].startswith("posting: 120/~120 events"), lines
    for line in lines:
        done, total = line.split()[1].split("/~")
        assert int(done) <= int(total), line


def test_the_terminal_bar_grows_its_estimated_total() -> None:
    bar = EstimatedBar(total=100, file=io.StringIO())
    for _ in range(12):
        bar.update(10)
        assert bar.n <= bar.total
    assert (bar.n, bar.total) == (120, 120)
    bar.close()
