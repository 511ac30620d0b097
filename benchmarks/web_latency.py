"""Latency of the live dashboard under concurrent load, against a running web service.

Fires a bounded number of GET requests with parallel clients at the page ``/``,
at its data call ``/donnees.json`` (what the page polls every few seconds), at
``/v1/figures`` and, as the baseline of the same run, at ``/healthz`` (no database
at all): the difference is what reading the live counters and rendering cost.
Every answer must be a 200; the run stops by itself after ``--requests`` per route.

    python benchmarks/web_latency.py http://127.0.0.1:8080 --requests 2000 --clients 16
    python benchmarks/web_latency.py http://127.0.0.1:8080 --query "year=2007&region=11"
    python benchmarks/web_latency.py http://127.0.0.1:8080 --pollers 64 --query "year=2007"

Prints one line per route (p50, p90, p99, max in ms, and requests/s), then the same
as JSON on the last line. With ``--pollers N``, two more runs: N clients poll
``/donnees.json`` as the page does, each sending back the ``ETag`` it last received
(``If-None-Match``) — once every ``--interval`` seconds each (the page polls every 5 s;
the default, 1 s, is five times that load), then back to back (the service's capacity:
N back-to-back pollers answered at R requests/s stand for R × 5 pages open). An answer
is a 200 or a 304, and the line says how many were 304.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import threading
import time
from typing import Any

import httpx


def percentile(sorted_values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return float("nan")
    rank = max(1, round(fraction * len(sorted_values) + 0.5))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def load(
    url: str, requests: int, clients: int, conditional: bool = False, interval: float = 0.0
) -> dict[str, Any]:
    """GET ``url`` ``requests`` times from ``clients`` threads; latencies in ms. With
    ``conditional``, each client sends back the ETag it last received; with ``interval``,
    each waits that long between its requests (starting at a random moment of it)."""
    latencies: list[float] = []
    failures: list[str] = []
    not_modified = [0]
    remaining = [requests]
    lock = threading.Lock()

    def client() -> None:
        etag: str | None = None
        if interval:
            time.sleep(random.uniform(0, interval))
        with httpx.Client(timeout=30) as http:
            while True:
                if interval and etag is not None:
                    time.sleep(interval)
                with lock:
                    if remaining[0] == 0:
                        return
                    remaining[0] -= 1
                headers = {"If-None-Match": etag} if conditional and etag else {}
                start = time.perf_counter()
                try:
                    response = http.get(url, headers=headers)
                    response.read()
                    status = response.status_code
                except httpx.HTTPError as exc:
                    status = 0
                    reason = exc.__class__.__name__
                elapsed = (time.perf_counter() - start) * 1000
                if status == 200:
                    etag = response.headers.get("ETag")
                with lock:
                    latencies.append(elapsed)
                    if status == 304 and conditional:
                        not_modified[0] += 1
                    elif status != 200:
                        failures.append(str(status) if status else reason)

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "failures": len(failures),
        "p50_ms": round(percentile(latencies, 0.50), 2),
        "p90_ms": round(percentile(latencies, 0.90), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "max_ms": round(latencies[-1], 2) if latencies else None,
        "mean_ms": round(statistics.fmean(latencies), 2) if latencies else None,
        "per_second": round(len(latencies) / wall, 1) if wall else None,
        "not_modified": not_modified[0],
        "first_failures": sorted(set(failures))[:5],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url", help="the web service, e.g. http://127.0.0.1:8080")
    parser.add_argument("--requests", type=int, default=2000, help="per route (default 2000)")
    parser.add_argument("--clients", type=int, default=16, help="parallel clients (default 16)")
    parser.add_argument("--query", default="", help='the dashboard\'s filters, e.g. "year=2007"')
    parser.add_argument(
        "--warmup", type=int, default=50, help="requests per route first, unmeasured"
    )
    parser.add_argument(
        "--pollers", type=int, default=0, help="then this many conditional pollers of the data"
    )
    parser.add_argument(
        "--interval", type=float, default=1.0, help="seconds between a poller's requests"
    )
    args = parser.parse_args()
    base = args.base_url.rstrip("/")
    query = f"?{args.query}" if args.query else ""
    routes = {
        "/healthz (baseline)": f"{base}/healthz",
        "/ (page)": f"{base}/{query}",
        "/donnees.json (page's data call)": f"{base}/donnees.json{query}",
        "/v1/figures": f"{base}/v1/figures{query}",
    }
    results: dict[str, Any] = {}
    for name, url in routes.items():
        load(url, args.warmup, min(args.clients, args.warmup or 1))
        results[name] = load(url, args.requests, args.clients)
    if args.pollers:
        url = routes["/donnees.json (page's data call)"]
        results[f"/donnees.json, {args.pollers} pollers every {args.interval:g} s"] = load(
            url, args.requests, args.pollers, conditional=True, interval=args.interval
        )
        results[f"/donnees.json, {args.pollers} pollers back to back"] = load(
            url, args.requests, args.pollers, conditional=True
        )
    print(f"{args.requests} requests per route, {args.clients} clients, query {query or '(none)'}")
    print(f"{'route':46} {'p50':>8} {'p90':>8} {'p99':>8} {'max':>8} {'req/s':>8} 304s failures")
    for name, result in results.items():
        print(
            f"{name:46} {result['p50_ms']:8.2f} {result['p90_ms']:8.2f} {result['p99_ms']:8.2f} "
            f"{result['max_ms']:8.2f} {result['per_second']:8.1f} {result['not_modified']:>4} "
            f"{result['failures']}"
        )
    print(
        json.dumps(
            {"requests": args.requests, "clients": args.clients, "query": args.query, **results}
        )
    )
    if any(result["failures"] for result in results.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
