"""The real ingest process: oversized bodies refused before they are sent, and hostile
bodies cost memory of the order of their size (SPEC §5)."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path

import httpx
import pytest

from shared.events import MAX_REQUEST_BYTES
from tests.support.processes import wait_http

pytestmark = pytest.mark.e2e
MIB = 1024 * 1024


@pytest.fixture
def ingest(processes, tmp_path: Path) -> tuple[str, int]:
    processes.env.update(
        BILAN_DATABASE_URL=f"sqlite:///{tmp_path / 'bilan.db'}", BILAN_BROKER_URL="memory://"
    )
    processes.run("db", "upgrade")
    token = processes.run("token", "create", "--role", "source").strip().splitlines()[-1]
    process = processes.start("ingest", "ingest")
    port = int(processes.env["BILAN_INGEST_PORT"])
    wait_http(f"http://127.0.0.1:{port}/healthz")
    return token, process.pid


def peak_memory_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


@pytest.mark.parametrize("authorized", [True, False])
def test_a_body_announced_over_the_limit_is_refused_before_it_is_sent(
    processes, ingest, authorized
) -> None:
    token, _ = ingest
    port = int(processes.env["BILAN_INGEST_PORT"])
    head = (
        "POST /v1/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        + (f"Authorization: Bearer {token}\r\n" if authorized else "")
        + f"Content-Length: {MAX_REQUEST_BYTES + 1}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(head.encode())  # and not one byte of the body
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = conn.recv(65536)  # a timeout here: the server waited for the body
            if not chunk:
                break
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    assert b" 413 " in status_line
    headers, _, body = rest.partition(b"\r\n\r\n")
    assert b"application/json" in headers.lower()
    assert json.loads(body)["error"] == "too_large"


def test_a_body_of_exactly_the_limit_is_read(processes, ingest) -> None:
    token, _ = ingest
    body = json.dumps([{"event_id": "x"}]).encode()
    body += b" " * (MAX_REQUEST_BYTES - len(body))
    response = httpx.post(
        f"http://127.0.0.1:{processes.env['BILAN_INGEST_PORT']}/v1/events",
        content=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 422  # read and judged: the event lacks its fields


def test_four_hostile_bodies_at_once_cost_less_than_200_mib(processes, ingest) -> None:
    token, pid = ingest
    before = peak_memory_mib(pid)
    body = b"{}\n" * (MAX_REQUEST_BYTES // 3)
    statuses: list[int] = []

    def post() -> None:
        response = httpx.post(
            f"http://127.0.0.1:{processes.env['BILAN_INGEST_PORT']}/v1/events",
            content=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"},
            timeout=60,
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [413] * 4
    grown = peak_memory_mib(pid) - before
    assert grown < 200, f"ingest's peak memory grew by {grown:.0f} MiB"
