"""The browsing clients of ``public_pages.py``: many browsers on the public pages, each sending
back the ``ETag`` it last got for a URL (``If-None-Match``) and pausing between requests, with
the latencies they saw, overall and by kind of URL, the requests per second, the share of
``304`` and the errors."""

from __future__ import annotations

import random
import threading
import time
from typing import Any

import httpx

from benchmarks.web_latency import percentile


def browse(
    web_url: str, kinds: dict[str, list[str]], clients: int, seconds: float, interval: float
) -> dict[str, Any]:
    """``clients`` browsers for ``seconds``; latencies overall and by kind of URL."""
    every = [(kind, path) for kind, paths in kinds.items() for path in paths]
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    statuses: dict[int, int] = {}
    failures: list[str] = []

    def client(n: int) -> None:
        rnd = random.Random(n)
        etags: dict[str, str] = {}
        time.sleep(rnd.uniform(0, interval))
        with httpx.Client(base_url=web_url, timeout=30) as http:
            while time.monotonic() < deadline:
                kind, path = rnd.choice(every)
                headers = {"If-None-Match": etags[path]} if path in etags else {}
                start = time.perf_counter()
                try:
                    response = http.get(path, headers=headers)
                    status = response.status_code
                except httpx.HTTPError as exc:
                    status, response = 0, None
                    failures.append(exc.__class__.__name__)
                elapsed = (time.perf_counter() - start) * 1000
                if response is not None and status == 200 and "ETag" in response.headers:
                    etags[path] = response.headers["ETag"]
                with lock:
                    times[kind].append(elapsed)
                    statuses[status] = statuses.get(status, 0) + 1
                    if status not in (200, 304, 0):
                        failures.append(str(status))
                time.sleep(interval)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    everything = sorted(t for values in times.values() for t in values)

    def summary(values: list[float]) -> dict[str, Any]:
        values = sorted(values)
        return {
            "requests": len(values),
            "p50_ms": round(percentile(values, 0.50), 1),
            "p99_ms": round(percentile(values, 0.99), 1),
            "max_ms": round(values[-1], 1) if values else None,
        }

    total = sum(statuses.values())
    return {
        **summary(everything),
        "per_second": round(len(everything) / wall, 1),
        "not_modified_share": round(statuses.get(304, 0) / total, 3) if total else None,
        "errors": len(failures),
        "first_errors": sorted(set(failures))[:5],
        "by_kind": {kind: summary(values) for kind, values in times.items()},
    }
