"""Availability under hostile clients (SPEC §7.7): idle, slow and keep-alive connections.

For each service (ingest, then web) it first times a few requests with nothing else
connected — the baseline of the same run — then opens a crowd and times the same
requests again while the crowd holds on:

- ``--idle N`` connections that never send a byte;
- ``--slow N`` slowloris clients: an unfinished request whose headers come one short
  line every second and never end;
- ``--keepalive N`` clients that made one request, read the answer and keep the
  connection open.

The requests timed are ``GET /healthz`` and ``POST /v1/events`` (a one-event batch,
a new id each time) on ingest, ``GET /healthz`` and ``GET /`` on web, each on a new
connection, one after another, with a 10 s timeout: a timeout is a failure (after one,
the route is not tried again). It also
says how many of the crowd's connections the server has closed by then, and the peak
memory (VmHWM) of each server process it started.

    python benchmarks/idle_connections.py                       # bilan ingest / bilan web
    python benchmarks/idle_connections.py --idle 1000 --slow 200 --keepalive 200
    python benchmarks/idle_connections.py --server gunicorn-gthread   # needs gunicorn
    python benchmarks/idle_connections.py --server gunicorn-gevent    # needs gunicorn, gevent
    python benchmarks/idle_connections.py --ingest URL --web URL --token T   # running services

By default it starts ``bilan ingest`` and ``bilan web`` itself on a SQLite database in
a temporary directory (one structure, one source token). ``--server gunicorn-*`` runs
the same applications under gunicorn instead (one worker, 8 threads or gevent), for
the comparison that chose the server (docs/performance.md, "Crowds of clients"). The run
takes well under a minute. Prints one line per (service, route, phase) — p50 and max in ms,
failures — then everything as JSON on the last line; exit 1 if any request failed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.crowd import TIMEOUT, crowd_on
from benchmarks.processes import ROOT, free_port, peak_memory_mib
from cli.serve import raise_open_files_limit
from cli.supervision import stop_all, wait_until_up

GIVE_UP_AFTER = 1  # failure of a route: it is down, more timeouts would say nothing more
SERVERS = ("waitress", "gunicorn-gthread", "gunicorn-gevent")
APPS = {"ingest": "services.ingest:create_app()", "web": "services.web:create_app()"}


def time_requests(
    method: str, url: str, count: int, token: str | None = None, structure: str = ""
) -> dict[str, Any]:
    """``count`` requests one after another, each on a new connection; latencies in ms."""
    latencies: list[float] = []
    failures: list[str] = []
    # One client (its TLS context costs milliseconds to build) that keeps no connection.
    no_keepalive = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(timeout=TIMEOUT, limits=no_keepalive) as client:
        for _ in range(count):
            _time_one(client, method, url, token, structure, latencies, failures)
            if len(failures) >= GIVE_UP_AFTER:
                break
    return {
        "requests": len(latencies),
        "failures": len(failures),
        "p50_ms": round(statistics.median(latencies), 1),
        "max_ms": round(max(latencies), 1),
        "first_failures": sorted(set(failures))[:3],
    }


def _time_one(client: httpx.Client, method: str, url: str, token: str | None, structure: str,
              latencies: list[float], failures: list[str]) -> None:  # fmt: skip
    kwargs: dict[str, Any] = {}
    if method == "POST":
        kwargs["json"] = [
            {
                "event_id": f"bench-{uuid.uuid4().hex}",
                "type": "interview",
                "occurred_on": f"{time.gmtime().tm_year}-01-15",
                "structure_id": structure,
                "youth_id": f"Y-{uuid.uuid4().hex[:8]}",
            }
        ]
        kwargs["headers"] = {"Authorization": f"Bearer {token}"}
    started = time.perf_counter()
    try:
        response = client.request(method, url, **kwargs)
        ok = response.status_code in (200, 202)
        reason = str(response.status_code)
    except httpx.HTTPError as exc:
        ok, reason = False, exc.__class__.__name__
    latencies.append((time.perf_counter() - started) * 1000)
    if not ok:
        failures.append(reason)


class OwnServices:
    """ingest and web started by this benchmark on a throw-away SQLite database."""

    STRUCTURE = "ML-11-001"

    def __init__(self, server: str) -> None:
        self.server = server
        self.dir = Path(tempfile.mkdtemp(prefix="bilan-idle-"))
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            "BILAN_DATABASE_URL": f"sqlite:///{self.dir / 'bilan.db'}",
            "BILAN_BROKER_URL": "memory://",
            "BILAN_HOST": "127.0.0.1",
            "BILAN_INGEST_PORT": str(free_port()),
            "BILAN_WEB_PORT": str(free_port()),
        }
        self.urls = {
            "ingest": f"http://127.0.0.1:{self.env['BILAN_INGEST_PORT']}",
            "web": f"http://127.0.0.1:{self.env['BILAN_WEB_PORT']}",
        }
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.token = ""

    def _bilan(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "cli.main", *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def start(self) -> None:
        self._bilan("db", "upgrade")
        registry = self.dir / "registry.csv"
        registry.write_text(
            f"structure_id,name,kind,region\n{self.STRUCTURE},Mission locale,mission_locale,11\n"
        )
        self._bilan("structures", "import", str(registry))
        self.token = self._bilan("token", "create", "--role", "source").strip().splitlines()[-1]
        for name in ("ingest", "web"):
            port = self.env[f"BILAN_{name.upper()}_PORT"]
            if self.server == "waitress":
                command = [sys.executable, "-m", "cli.main", name]
            else:
                worker = self.server.removeprefix("gunicorn-")
                command = [
                    sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
                    "--workers", "1", "--worker-class", worker, "--threads", "8",
                    "--worker-connections", "10000", "--backlog", "2048", APPS[name],
                ]  # fmt: skip
            log = (self.dir / f"{name}.log").open("wb")
            self.running[name] = subprocess.Popen(
                command, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        for name, url in self.urls.items():
            if not wait_until_up(f"{url}/healthz", seconds=60):
                raise RuntimeError(f"{name} did not come up: {self.dir / f'{name}.log'}")

    def peak_memory(self, name: str) -> float:
        """The peak resident memory of the service's processes (a gunicorn master and its
        worker: the larger)."""
        pid = self.running[name].pid
        pids = [pid, *_children(pid)]
        return round(max(peak_memory_mib(p) for p in pids), 1)

    def stop(self) -> None:
        stop_all(self.running.values())
        shutil.rmtree(self.dir, ignore_errors=True)


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def measure(args: argparse.Namespace, urls: dict[str, str], token: str, structure: str,
            memory: Any) -> dict[str, Any]:  # fmt: skip
    routes = {
        "ingest": [("GET", "/healthz"), ("POST", "/v1/events")],
        "web": [("GET", "/healthz"), ("GET", "/")],
    }
    results: dict[str, Any] = {}
    for service, base in urls.items():
        print(f"{service}: baseline…", file=sys.stderr, flush=True)
        for method, path in routes[service]:
            time_requests(method, base + path, 2, token, structure)  # warm-up, unmeasured
            results[f"{service} {method} {path} baseline"] = time_requests(
                method, base + path, args.probes, token, structure
            )
        started = time.perf_counter()
        with crowd_on(base, args.idle, args.slow, args.keepalive) as crowd:
            opened = {kind: len(conns) for kind, conns in crowd.sockets.items()}
            opening_s = round(time.perf_counter() - started, 1)
            print(f"{service}: {opened} held, timing…", file=sys.stderr, flush=True)
            time.sleep(args.settle)
            for method, path in routes[service]:
                results[f"{service} {method} {path} crowd"] = time_requests(
                    method, base + path, args.probes, token, structure
                )
            results[f"{service} crowd"] = {
                "opened": opened,
                "refused": crowd.refused,
                "keepalive_unanswered": crowd.unanswered,
                "seconds_to_open": opening_s,
                "closed_by_server": crowd.closed_by_server(),
                "peak_memory_mib": memory(service),
            }
    return results


def _no_memory(_service: str) -> float | None:
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--idle", type=int, default=1000, help="silent connections (1000)")
    parser.add_argument("--slow", type=int, default=200, help="slowloris clients (200)")
    parser.add_argument("--keepalive", type=int, default=200, help="idle keep-alive clients (200)")
    parser.add_argument("--probes", type=int, default=20, help="timed requests per route (20)")
    parser.add_argument(
        "--settle", type=float, default=2.0, help="seconds between opening the crowd and timing"
    )
    parser.add_argument("--server", choices=SERVERS, default="waitress")
    parser.add_argument("--ingest", help="a running ingest service (with --web and --token)")
    parser.add_argument("--web", help="a running web service")
    parser.add_argument("--token", help="a source token of the running ingest")
    parser.add_argument(
        "--structure", default=OwnServices.STRUCTURE, help="a structure of its registry"
    )
    args = parser.parse_args()
    # A SIGTERM (timeout, a supervisor) stops the services this run started, as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    limit = raise_open_files_limit()
    needed = 2 * (args.idle + args.slow + args.keepalive) + 100
    if limit < needed:
        raise SystemExit(f"open files limited to {limit}: raise it to {needed} (ulimit -n)")

    own: OwnServices | None = None
    memory: Callable[[str], float | None]
    if args.ingest or args.web:
        if not (args.ingest and args.web and args.token):
            raise SystemExit("--ingest, --web and --token go together")
        urls = {"ingest": args.ingest.rstrip("/"), "web": args.web.rstrip("/")}
        token, memory = args.token, _no_memory
    else:
        own = OwnServices(args.server)
        own.start()
        urls, token, memory = own.urls, own.token, own.peak_memory
    try:
        results = measure(args, urls, token, args.structure, memory)
    finally:
        if own is not None:
            own.stop()

    server = args.server if own is not None else "running services"
    print(
        f"{server}: {args.idle} idle, {args.slow} slow, {args.keepalive} keep-alive connections "
        f"per service; {args.probes} requests per route, each on a new connection"
    )
    print(f"{'route':34} {'phase':9} {'p50 ms':>8} {'max ms':>8} failures")
    for name, result in results.items():
        if name.endswith(" crowd") and "opened" in result:
            print(
                f"{name:44} held {result['opened']}, refused {result['refused']}, keep-alive "
                f"unanswered {result['keepalive_unanswered']}, closed by the server "
                f"{result['closed_by_server']}, peak memory {result['peak_memory_mib']} MiB"
            )
            continue
        route, _, phase = name.rpartition(" ")
        print(
            f"{route:34} {phase:9} {result['p50_ms']:8.1f} {result['max_ms']:8.1f} "
            f"{result['failures']} {' '.join(result['first_failures'])}"
        )
    print(json.dumps({"server": server, **vars(args), "results": results}))
    if any(r.get("failures") for r in results.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
