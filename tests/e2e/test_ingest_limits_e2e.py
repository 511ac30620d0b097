"""The real ingest process: oversized bodies refused before they are sent, hostile bodies
cost memory of the order of their size (SPEC §5), and a request framed two ways closes its
connection (RFC 9112 §6.1)."""

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


def test_content_length_with_transfer_encoding_closes_the_connection(processes, ingest) -> None:
    """RFC 9112 §6.1: a request with both framings is answered and its connection closed,
    so that a request pipelined behind it (smuggled, for a proxy that read the other
    framing) is never served."""
    token, _ = ingest
    port = int(processes.env["BILAN_INGEST_PORT"])
    ambiguous = (
        "POST /v1/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {token}\r\n"
        "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
        "2\r\n[]\r\n0\r\n\r\n"
    )
    behind = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall((ambiguous + behind).encode())
        answer = b""
        while chunk := conn.recv(65536):  # a timeout here: the connection was kept open
            answer += chunk
    assert answer.count(b"HTTP/1.1 ") == 1, answer
    head = answer.partition(b"\r\n\r\n")[0].lower()
    assert b"connection: close" in head
    assert b'"status"' not in answer  # /healthz was not answered


def test_a_pipelined_request_behind_a_plain_one_is_served(processes, ingest) -> None:
    """The same pipeline with one framing: both answered on the connection (the test above
    is about the ambiguity, not pipelining)."""
    port = int(processes.env["BILAN_INGEST_PORT"])
    one = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall((one + one.replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n")).encode())
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    assert answer.count(b"HTTP/1.1 200") == 2, answer
