"""Watching local bilan processes: ``bilan up``, the benchmarks and the tests share it."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterable
from typing import Any

import httpx


def wait_until_up(url: str, seconds: float = 30, interval: float = 0.2) -> bool:
    """Poll ``url`` until it answers 200; False if it did not within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(interval)
    return False


def stop_all(processes: Iterable[subprocess.Popen[Any]], grace: float = 10) -> None:
    """SIGTERM to every process still running; SIGKILL to those still there after ``grace``."""
    processes = list(processes)
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + grace
    for process in processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
