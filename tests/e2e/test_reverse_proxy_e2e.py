"""The committed nginx configuration (deploy/nginx/, docker-compose.yml's "proxy") in front
of the real `bilan ingest` and `bilan web`: requests pass, the limits and the JSON errors
are nginx's own, a request framed two ways is refused, a spoofed X-Forwarded-For does not
escape the limit on failed authentications, and a batch ingest did not answer is said to
have an unknown outcome. Needs nginx (Debian: apt-get install nginx; .ci/run installs it)."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shared.events import MAX_REQUEST_BYTES
from tests.support.processes import Processes, free_port, start_services
from tests.support.services import missing_service

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "nginx" / "templates" / "bilan.conf.template"
MAIN = ROOT / "deploy" / "nginx" / "nginx.conf"


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )
    if found is None:
        missing_service("nginx is not installed (Debian: apt-get install nginx)")
    assert found is not None
    return found


def render(template: str, values: dict[str, str]) -> str:
    """What the nginx image does with a template at start: ${NAME} replaced for the names
    it is given, nginx's own $variables left alone."""
    rendered = re.sub(r"\$\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)
    assert "${" not in rendered, "a variable of the template is not set"
    return rendered


class Nginx:
    """nginx with the committed template, in a directory of its own."""

    def __init__(self, directory: Path, ingest: str, web: str) -> None:
        self.dir = directory
        self.dir.mkdir()
        self.ingest_port, self.web_port = free_port(), free_port()
        values = {
            "BILAN_INGEST_UPSTREAM": ingest,
            "BILAN_WEB_UPSTREAM": web,
            "BILAN_PROXY_INGEST_PORT": f"127.0.0.1:{self.ingest_port}",
            "BILAN_PROXY_WEB_PORT": f"127.0.0.1:{self.web_port}",
        }
        (self.dir / "bilan.conf").write_text(render(TEMPLATE.read_text(), values))
        # The test's main context (the image has its own, deploy/nginx/nginx.conf): files
        # under this directory, workers as this user (root's "nobody" could not reach it).
        user = "user root;" if os.geteuid() == 0 else ""
        d = self.dir
        (d / "nginx.conf").write_text(f"""
            daemon off; worker_processes 1; pid {d}/nginx.pid; {user}
            error_log {d}/error.log info;
            events {{ worker_connections 4096; }}
            http {{
                default_type application/octet-stream;
                access_log {d}/access.log;
                client_body_temp_path {d}/body; proxy_temp_path {d}/proxy;
                fastcgi_temp_path {d}/fastcgi; uwsgi_temp_path {d}/uwsgi;
                scgi_temp_path {d}/scgi;
                include {d}/bilan.conf;
            }}
        """)
        self.command = [nginx_binary(), "-p", str(d), "-c", str(d / "nginx.conf"),
                        "-e", str(d / "error.log")]  # fmt: skip
        checked = subprocess.run([*self.command, "-t"], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
        self.process = subprocess.Popen(self.command, stderr=subprocess.STDOUT,
                                        stdout=(d / "out.log").open("wb"))  # fmt: skip
        deadline = time.monotonic() + 10
        while not _listening(self.web_port) or not _listening(self.ingest_port):
            assert time.monotonic() < deadline, (d / "error.log").read_text()
            time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def services(processes: Processes, tmp_path: Path) -> tuple[str, str]:
    """ingest and web behind one proxy (BILAN_PROXY_HOPS=1), 3 failed authentications a
    minute; a source token."""
    processes.env.update(
        BILAN_DATABASE_URL=f"sqlite:///{tmp_path / 'bilan.db'}", BILAN_BROKER_URL="memory://",
        BILAN_PROXY_HOPS="1", BILAN_AUTH_FAILURE_LIMIT="3/minute",
    )  # fmt: skip
    token = start_services(processes, tmp_path)
    ingest = f"127.0.0.1:{processes.env['BILAN_INGEST_PORT']}"
    web = f"127.0.0.1:{processes.env['BILAN_WEB_PORT']}"
    return token, ingest, web


@pytest.fixture
def proxy(services, tmp_path: Path) -> Iterator[Nginx]:
    _, ingest, web = services
    nginx = Nginx(tmp_path / "nginx", ingest, web)
    yield nginx
    nginx.stop()


def batch(event_id: str = "p-1") -> list[dict[str, str]]:
    return [{"event_id": event_id, "type": "interview", "occurred_on": "2007-03-15",
             "structure_id": "ML-11-001", "youth_id": "Y1"}]  # fmt: skip


def raw(port: int, request: bytes) -> bytes:
    """Send ``request`` and read until the server closes (a timeout: it kept it open)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(request)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    return answer


def test_requests_pass_through(services, proxy) -> None:
    token, _, _ = services
    ingest, web = f"http://127.0.0.1:{proxy.ingest_port}", f"http://127.0.0.1:{proxy.web_port}"
    assert httpx.get(f"{ingest}/healthz").json() == {"status": "ok"}
    posted = httpx.post(f"{ingest}/v1/events", json=batch(),
                        headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert posted.status_code == 202 and posted.json()["accepted"] == 1
    page = httpx.get(f"{web}/?year=2007")
    assert page.status_code == 200 and 'lang="fr"' in page.text
    assert httpx.get(f"{web}/v1/figures?year=2007").json()["year"] == 2007


def test_an_oversized_body_is_refused_by_the_proxy_before_it_is_sent(proxy) -> None:
    head = (
        "POST /v1/events HTTP/1.1\r\nHost: bilan\r\nContent-Type: application/json\r\n"
        f"Content-Length: {MAX_REQUEST_BYTES + 1}\r\n\r\n"
    )
    answer = raw(proxy.ingest_port, head.encode())  # not one byte of the body
    status, _, rest = answer.partition(b"\r\n")
    assert b" 413 " in status
    headers, _, body = rest.partition(b"\r\n\r\n")
    assert b"application/json" in headers.lower()
    assert json.loads(body)["error"] == "too_large"


def test_a_request_framed_two_ways_is_refused_and_nothing_behind_it_served(proxy) -> None:
    ambiguous = (
        b"POST /v1/events HTTP/1.1\r\nHost: bilan\r\nContent-Type: application/json\r\n"
        b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n[]\r\n0\r\n\r\n"
        b"GET /healthz HTTP/1.1\r\nHost: bilan\r\n\r\n"
    )
    answer = raw(proxy.ingest_port, ambiguous)
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
    assert answer.count(b"HTTP/1.1 ") == 1
    assert b'"status"' not in answer


def test_a_spoofed_forwarded_address_does_not_escape_the_limit(proxy) -> None:
    statuses = [
        httpx.post(
            f"http://127.0.0.1:{proxy.ingest_port}/v1/events", json=batch(),
            headers={"Authorization": "Bearer bilan_guess", "X-Forwarded-For": f"192.0.2.{n}"},
        ).status_code
        for n in range(4)
    ]  # fmt: skip
    assert statuses == [401, 401, 401, 429]


def test_a_service_down_is_a_json_503_saying_nothing_was_recorded(
    processes, services, proxy
) -> None:
    token, _, _ = services
    processes.kill("ingest")
    answer = httpx.post(f"http://127.0.0.1:{proxy.ingest_port}/v1/events", json=batch(),
                        headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"
    body = answer.json()
    assert body["error"] == "unavailable" and "nothing was recorded" in body["message"]
    assert "outcome" not in body
    processes.kill("web")
    page = httpx.get(f"http://127.0.0.1:{proxy.web_port}/")
    assert page.status_code == 503 and "indisponible" in page.text
    api = httpx.get(f"http://127.0.0.1:{proxy.web_port}/v1/figures")
    assert api.status_code == 503 and api.json()["error"] == "unavailable"


def test_a_batch_ingest_did_not_answer_has_an_unknown_outcome(tmp_path: Path) -> None:
    """An ingest that read the batch and went away without answering: the proxy cannot
    know whether it was recorded, and says so."""
    listener = socket.create_server(("127.0.0.1", 0))

    def read_then_vanish() -> None:
        conn, _ = listener.accept()
        conn.recv(65536)
        conn.close()

    threading.Thread(target=read_then_vanish, daemon=True).start()
    nginx = Nginx(tmp_path / "nginx", f"127.0.0.1:{listener.getsockname()[1]}", "127.0.0.1:9")
    try:
        answer = httpx.post(f"http://127.0.0.1:{nginx.ingest_port}/v1/events", json=batch(),
                            headers={"Authorization": "Bearer t"})  # fmt: skip
    finally:
        nginx.stop()
        listener.close()
    assert answer.status_code == 503
    assert answer.json()["outcome"] == "unknown"


def test_the_production_main_configuration_is_valid(tmp_path: Path) -> None:
    """deploy/nginx/nginx.conf as the image runs it (its paths), with the rendered template
    where the image puts it (here a file of this test: conf.d is not ours to write)."""
    rendered = render(TEMPLATE.read_text(), {
        "BILAN_INGEST_UPSTREAM": "127.0.0.1:8081", "BILAN_WEB_UPSTREAM": "127.0.0.1:8080",
        "BILAN_PROXY_INGEST_PORT": "8081", "BILAN_PROXY_WEB_PORT": "8080",
    })  # fmt: skip
    (tmp_path / "bilan.conf").write_text(rendered)
    main = MAIN.read_text()
    assert "include /etc/nginx/conf.d/bilan.conf;" in main
    main = main.replace("/etc/nginx/conf.d/bilan.conf", str(tmp_path / "bilan.conf"))
    (tmp_path / "nginx.conf").write_text(main)
    checked = subprocess.run(
        [nginx_binary(), "-t", "-c", str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "e.log")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
