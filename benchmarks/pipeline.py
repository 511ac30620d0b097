"""End-to-end throughput of the event pipeline on real PostgreSQL and Redis.

Posts a simulated year (default scale 0.1, ≈650 k events) to the real ingest
process with parallel clients, waits until the workers have applied everything
(``pending_events == 0``), checks the figures against the simulator's truth at
every level, and prints, in the same run:

- end-to-end events/s (first POST to nothing pending) and the ingest rate;
- the baseline: PostgreSQL ``COPY`` of the same events into a bare table (the
  floor for "durably recorded"), and the ratio;
- p50/p99 of ``GET /v1/figures`` under concurrent load;
- peak memory of each process.

    python benchmarks/pipeline.py --scale 0.1

The database it fills (``bilan_bench`` by default) is kept for
``benchmarks/consolidation.py``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg
import redis
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.processes import (
    Services,
    cpu_seconds,
    peak_memory_mib,
    postgres_cpu_seconds,
)
from shared.db import engine_for, session_factory
from shared.registry import import_structures
from shared.schema import upgrade_database
from shared.tokens import create_token
from simulator.generate import YearSimulation
from simulator.post import post_events
from simulator.registry import demo_structures

COLUMNS = ("event_id", "type", "occurred_on", "structure_id", "youth_id", "outcome", "exit_reason",
           "channel", "retracts")  # fmt: skip


def fresh_database(server_url: str, name: str) -> str:
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def copy_baseline(database_url: str, year: int, scale: float, seed: int) -> tuple[int, float]:
    """COPY the same events into a bare table; (rows, seconds of the COPY alone)."""
    structures = demo_structures()
    with tempfile.TemporaryFile("w+", newline="") as spool:
        writer = csv.writer(spool)
        for event in YearSimulation(year, scale, seed, structures).events():
            writer.writerow([event.get(c) or "" for c in COLUMNS])
        spool.seek(0)
        dsn = database_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn) as connection:
            connection.execute(
                "CREATE TABLE copy_baseline (event_id text, type text, occurred_on date, "
                "structure_id text, youth_id text, outcome text, exit_reason text, channel text, "
                "retracts text)"
            )
            connection.commit()
            start = time.perf_counter()
            with connection.cursor() as cursor:
                with cursor.copy(
                    f"COPY copy_baseline ({', '.join(COLUMNS)}) FROM STDIN WITH (FORMAT csv)"
                ) as copy:
                    while chunk := spool.read(1 << 20):
                        copy.write(chunk)
                connection.commit()
            seconds = time.perf_counter() - start
            (rows,) = connection.execute("SELECT count(*) FROM copy_baseline").fetchall()[0]
            connection.execute("DROP TABLE copy_baseline")
    return rows, seconds


def latencies(url: str, params: dict[str, Any], requests: int, clients: int) -> list[float]:
    times: list[float] = []
    lock = threading.Lock()
    per_client = requests // clients

    def client() -> None:
        with httpx.Client(timeout=30) as http:
            for _ in range(per_client):
                start = time.perf_counter()
                http.get(url, params=params).raise_for_status()
                with lock:
                    times.append(time.perf_counter() - start)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def compare(web_url: str, year: int, truth: dict[str, Any]) -> list[str]:
    """Differences between the live figures and the truth, at every level."""
    problems = []
    national = httpx.get(f"{web_url}/v1/figures", params={"year": year}).json()["figures"]
    if national != truth["national"]:
        problems.append(f"national: {national} != {truth['national']}")
    for by, key in (("region", "regions"), ("structure", "structures")):
        rows = httpx.get(
            f"{web_url}/v1/figures/breakdown", params={"year": year, "by": by}, timeout=60
        )
        live = {row["key"]: row["figures"] for row in rows.json()["rows"]}
        for scope, figures in truth[key].items():
            if live.get(scope) != figures:
                problems.append(f"{by} {scope}: {live.get(scope)} != {figures}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--year", type=int, default=2007)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--database", default="bilan_bench")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--logs", type=Path, default=Path("var/benchmark-logs"))
    args = parser.parse_args()

    database_url = fresh_database(args.postgres, args.database)
    redis.Redis.from_url(args.redis).flushdb()
    upgrade_database(database_url)
    structures = demo_structures()
    with session_factory(engine_for(database_url)).begin() as session:
        import_structures(session, structures)
        token = create_token(session, "source")

    services = Services(database_url, args.redis, args.logs, workers=args.workers)
    services.start()
    try:
        simulation = YearSimulation(args.year, args.scale, args.seed, structures)
        postgres_before = postgres_cpu_seconds()
        start = time.perf_counter()
        report = post_events(
            simulation.events(), f"{services.ingest_url}/v1/events", token,
            batch_size=args.batch_size, clients=args.clients, total=simulation.estimated_events,
        )  # fmt: skip
        posted = time.perf_counter() - start
        while True:
            figures = httpx.get(f"{services.web_url}/v1/figures", params={"year": args.year}).json()
            if figures["pending_events"] == 0:
                break
            print(f"  … {figures['pending_events']:>9} events pending", file=sys.stderr, flush=True)
            time.sleep(2)
        applied = time.perf_counter() - start
        cpu = services.cpu()
        cpu["postgresql (all processes)"] = postgres_cpu_seconds() - postgres_before
        cpu["simulator+poster (this process)"] = cpu_seconds(os.getpid())
        problems = compare(services.web_url, args.year, simulation.truth())
        figure_times = latencies(f"{services.web_url}/v1/figures", {"year": args.year}, 2000, 8)
        memory = services.peak_memory()
    finally:
        services.stop()
    memory["simulator+poster (this process)"] = peak_memory_mib(os.getpid())

    rows, copy_seconds = copy_baseline(database_url, args.year, args.scale, args.seed)
    events_per_s = report.events / applied
    copy_rate = rows / copy_seconds

    p50, p99 = percentile(figure_times, 50) * 1000, percentile(figure_times, 99) * 1000
    lines = [
        f"pipeline benchmark: year {args.year}, scale {args.scale}, seed {args.seed}, "
        f"{args.workers} workers, {args.clients} clients, batches of {args.batch_size}",
        f"  events posted              {report.events:>12,}",
        f"  ingest (all 202)           {posted:>11.1f} s  {report.events / posted:>10,.0f} ev/s",
        f"  end to end (pending == 0)  {applied:>11.1f} s  {events_per_s:>10,.0f} ev/s",
        f"  baseline: COPY bare table  {copy_seconds:>11.1f} s  {copy_rate:>10,.0f} rows/s",
        f"  ratio end-to-end / COPY    {events_per_s / copy_rate:>12.3f}",
        f"  GET /v1/figures p50 / p99  {p50:>8.1f} ms / {p99:.1f} ms (2000 requests, 8 clients)",
        *(f"  peak memory {name:<32} {mib:>8.0f} MiB" for name, mib in memory.items()),
        *(f"  CPU until applied {name:<26} {sec:>8.1f} s" for name, sec in cpu.items()),
        f"  exact at every level       {'yes' if not problems else 'NO'}",
        *(f"    {problem}" for problem in problems[:10]),
        f"  database kept for benchmarks/consolidation.py: {database_url}",
    ]
    print("\n".join(lines))
    summary = {
        "events": report.events,
        "end_to_end_events_per_s": round(events_per_s),
        "copy_rows_per_s": round(copy_rate),
        "exact": not problems,
    }
    print(json.dumps(summary))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
