"""Stopping `bilan up` as a terminal does: Ctrl-C (SIGINT to the whole foreground process
group) stops every service cleanly and exits 0; if `bilan up` itself is killed, its
services stop with it; a port in use stops it before anything starts."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.test_up_demo_e2e import children_of
from tests.support.processes import free_port, wait_http

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def start_up(tmp_path: Path) -> tuple[subprocess.Popen[bytes], int, Path]:
    web_port, ingest_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BILAN_")}
    env.update(
        BILAN_WEB_PORT=str(web_port), BILAN_INGEST_PORT=str(ingest_port), PYTHONPATH=str(ROOT)
    )
    log = tmp_path / "up.log"
    # A session of its own, as a shell's job: the test signals its group as a terminal would.
    up = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "up"], cwd=tmp_path, env=env,
        stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    wait_http(f"http://127.0.0.1:{web_port}/healthz", seconds=90)
    return up, web_port, log


def gone(pids: list[int], seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not [pid for pid in pids if Path(f"/proc/{pid}").exists()]:
            return True
        time.sleep(0.2)
    return False


def test_ctrl_c_stops_every_service_and_exits_0(tmp_path: Path) -> None:
    up, _, log = start_up(tmp_path)
    services = children_of(up.pid)
    assert len(services) == 3  # ingest, web, worker
    # In a group of their own: the terminal's Ctrl-C reaches bilan up alone, which stops them.
    assert all(os.getpgid(pid) != os.getpgid(up.pid) for pid in services)
    os.killpg(up.pid, signal.SIGINT)  # Ctrl-C: the terminal signals the foreground group
    assert up.wait(30) == 0, log.read_text()
    output = log.read_text()
    assert "Error" not in output and "Traceback" not in output, output
    assert output.rstrip().endswith("stopped")
    assert gone(services)


def test_services_stop_when_bilan_up_is_killed(tmp_path: Path) -> None:
    up, _, _ = start_up(tmp_path)
    services = children_of(up.pid)
    up.kill()  # SIGKILL: no chance to stop anything itself
    up.wait()
    assert gone(services), "services outlived bilan up"


def test_a_port_in_use_stops_bilan_up_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("BILAN_")}
        env.update(BILAN_WEB_PORT=str(port), BILAN_INGEST_PORT=str(free_port()),
                   PYTHONPATH=str(ROOT))  # fmt: skip
        done = subprocess.run(
            [sys.executable, "-m", "cli.main", "up"], cwd=tmp_path, env=env,
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr == (
        f"Error: BILAN_WEB_PORT={port} is refused: port {port} on 127.0.0.1 is already in use\n"
    )
    assert not (tmp_path / "bilan.db").exists()  # nothing started, nothing created
