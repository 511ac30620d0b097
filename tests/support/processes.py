"""The real bilan processes of a test (``python -m cli.main …``), their ports and logs."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

from cli.supervision import stop_all, wait_until_up


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Processes:
    """The bilan processes of one test, stopped (killed if need be) at the end."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "cli.main", *args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.running[name] = process
        return process

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "cli.main", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def kill(self, name: str) -> None:
        self.running[name].kill()  # SIGKILL: no clean shutdown at all
        self.running[name].wait()

    def stop_all(self) -> None:
        stop_all(self.running.values())

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")


def wait_http(url: str, seconds: float = 60) -> None:
    """Wait until ``url`` answers 200, or fail the test."""
    assert wait_until_up(url, seconds), f"{url} did not come up in {seconds} s"


ONE_STRUCTURE = "structure_id,name,kind,region\nML-11-001,Paris,mission_locale,11\n"


def start_services(processes: Processes, directory: Path, registry: str = ONE_STRUCTURE) -> str:
    """The schema, ``registry`` (CSV) imported, `bilan ingest` and `bilan web` started and
    answering; a new source token."""
    processes.run("db", "upgrade")
    csv = directory / "registry.csv"
    csv.write_text(registry)
    processes.run("structures", "import", str(csv))
    token = processes.run("token", "create", "--role", "source").strip().splitlines()[-1]
    processes.start("ingest", "ingest")
    processes.start("web", "web")
    for name in ("INGEST", "WEB"):
        wait_http(f"http://127.0.0.1:{processes.env[f'BILAN_{name}_PORT']}/healthz")
    return token
