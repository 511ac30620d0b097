"""Starting and watching the real bilan processes for a benchmark run."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from cli.supervision import stop_all, wait_until_up

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def peak_memory_mib(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float:
    """CPU time used so far by every PostgreSQL process of this machine (backends included)."""
    total = 0.0
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if (proc / "comm").read_text().strip() in ("postgres", "postmaster"):
                    total += cpu_seconds(int(proc.name))
            except (FileNotFoundError, ProcessLookupError):
                continue
    return total


class Services:
    """ingest, N workers and web on the given database and broker, with ``settings`` in their
    environment (``{"BILAN_PUBLIC_MIN_COUNT": "5"}``); logs under ``logs``."""

    def __init__(
        self,
        database_url: str,
        broker_url: str,
        logs: Path,
        workers: int = 2,
        settings: dict[str, str] | None = None,
    ) -> None:
        self.env = {
            **os.environ,
            **(settings or {}),
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            "BILAN_DATABASE_URL": database_url,
            "BILAN_BROKER_URL": broker_url,
            "BILAN_HOST": "127.0.0.1",
            "BILAN_INGEST_PORT": str(free_port()),
            "BILAN_WEB_PORT": str(free_port()),
        }
        self.ingest_url = f"http://127.0.0.1:{self.env['BILAN_INGEST_PORT']}"
        self.web_url = f"http://127.0.0.1:{self.env['BILAN_WEB_PORT']}"
        self.logs = logs
        self.workers = workers
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def start(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        names = {"ingest": ["ingest"], "web": ["web"]}
        for n in range(1, self.workers + 1):
            names[f"worker-{n}"] = ["worker", "--loglevel", "WARNING"]
        for name, args in names.items():
            log = (self.logs / f"{name}.log").open("wb")
            self.running[name] = subprocess.Popen(
                [sys.executable, "-m", "cli.main", *args],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        for url in (self.ingest_url, self.web_url):
            if not wait_until_up(f"{url}/healthz", seconds=60):
                raise RuntimeError(f"{url} did not come up; see {self.logs}")

    def peak_memory(self) -> dict[str, float]:
        return {
            name: peak_memory_mib(p.pid) for name, p in self.running.items() if p.poll() is None
        }

    def cpu(self) -> dict[str, float]:
        return {name: cpu_seconds(p.pid) for name, p in self.running.items() if p.poll() is None}

    def stop(self) -> None:
        stop_all(self.running.values())
