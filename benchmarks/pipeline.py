"""End-to-end throughput of the event pipeline on real PostgreSQL and Redis.

Each run posts a simulated year to the real ingest process with parallel clients
(``bilan ingest``, two ``bilan worker``, ``bilan web``, on a fresh database), waits
until the workers have applied everything (``pending_events == 0``), checks the
figures against the simulator's truth at every level — the year, and the year to
31 December (the sum of the increment cells of the year to date, which must be the
year) — and runs ``bilan verify`` (every cell: years, months of every scope, the
increments of the year to date). By default two runs, as issue 8 measures them:
300 000 events in 5 000-event batches, then a national year (scale 1.0, ≈6.5 M
events) in 1 000-event batches; then the consolidation of the national year. The
``flat`` run posts the 300 000 events of the small run as bodies serialized beforehand,
by 4 clients as fast as the ingest answers (benchmarks/flat_out.py): ingest and workers
alone, no simulator. It prints, in the same run:

- end-to-end events/s (first POST to nothing pending) and the ingest rate (until
  the last ``202``), and the drain: from the last ``202`` to nothing pending (read
  from the database every 10 ms);
- the baseline: PostgreSQL ``COPY`` of the same events into a bare table (the
  floor for "durably recorded"), and the ratio;
- the consolidation beside one plain ``GROUP BY structure_id, youth_id`` over
  the same events (benchmarks/consolidation.py);
- p50/p99 of ``GET /v1/figures`` under concurrent load;
- CPU seconds and peak memory of each process.

    python benchmarks/pipeline.py                      # both runs (≈6 min)
    python benchmarks/pipeline.py --run small          # 300 000 events only
    python benchmarks/pipeline.py --run flat           # the same, posted flat out
    python benchmarks/pipeline.py --run national --batch-size 5000
    python benchmarks/pipeline.py --profiles compare   # with and without profiles, 3 × 2 runs

The national run's database (``bilan_bench``) is kept for ``benchmarks/consolidation.py``.
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

from benchmarks.consolidation import measure as measure_consolidation
from benchmarks.flat_out import post_flat_out, serialized, wait_applied
from benchmarks.processes import (
    Services,
    cpu_seconds,
    peak_memory_mib,
    postgres_cpu_seconds,
)
from benchmarks.profile_runs import without_profiles
from shared.access.tokens import create_token
from shared.pipeline.verify import verify
from shared.registry import import_structures
from shared.storage.db import engine_for, session_factory
from shared.storage.schema import upgrade_database
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
    """Differences between the live figures and the truth, at every level: the year, and the
    year to 31 December (summed from the increments of the year to date)."""
    problems = []
    for through in (None, f"{year}-12-31"):
        params: dict[str, Any] = {"year": year} | ({"through": through} if through else {})
        what = "" if through is None else f" through {through}"
        national = httpx.get(f"{web_url}/v1/figures", params=params).json()["figures"]
        if national != truth["national"]:
            problems.append(f"national{what}: {national} != {truth['national']}")
        for by, key in (("region", "regions"), ("structure", "structures")):
            rows = httpx.get(
                f"{web_url}/v1/figures/breakdown", params={**params, "by": by}, timeout=60
            )
            live = {row["key"]: row["figures"] for row in rows.json()["rows"]}
            for scope, figures in truth[key].items():
                if live.get(scope) != figures:
                    problems.append(f"{by} {scope}{what}: {live.get(scope)} != {figures}")
    return problems


RUNS = {
    # name: (scale, events per batch); 0.046 gives 300 697 events.
    "small": (0.046, 5000),
    "national": (1.0, 1000),
    # The small run's events, serialized before the clock starts, posted flat out.
    "flat": (0.046, 5000),
}
DEFAULT_RUNS = ("small", "national")


def run_once(
    args: argparse.Namespace, name: str, scale: float, batch_size: int, profiles: bool = True
) -> dict[str, Any]:
    """One run of the pipeline; its measures (``profiles``: the first receptions carry the
    simulated profiles, else none)."""
    database = args.database if name == "national" else f"{args.database}_{name}"
    database_url = fresh_database(args.postgres, database)
    redis.Redis.from_url(args.redis).flushdb()
    upgrade_database(database_url)
    structures = demo_structures()
    with session_factory(engine_for(database_url)).begin() as session:
        import_structures(session, structures)
        token = create_token(session, "source")

    services = Services(database_url, args.redis, args.logs / name, workers=args.workers)
    services.start()
    try:
        simulation = YearSimulation(args.year, scale, args.seed, structures)
        events = simulation.events() if profiles else without_profiles(simulation.events())
        bodies = serialized(events, batch_size) if name == "flat" else []
        # CPU from the first POST: the services' start and the flat run's serializing apart.
        cpu_before = {**services.cpu(), "simulator+poster (this process)": cpu_seconds(os.getpid())}
        postgres_before = postgres_cpu_seconds()
        start = time.perf_counter()
        if bodies:
            posted_events = post_flat_out(bodies, services.ingest_url, token, clients=args.clients)
        else:
            posted_events = post_events(
                events, f"{services.ingest_url}/v1/events", token,
                batch_size=batch_size, clients=args.clients, total=simulation.estimated_events,
            ).events  # fmt: skip
        posted = time.perf_counter() - start
        applied = wait_applied(database_url) - start
        cpu = {
            process: sec - cpu_before.get(process, 0.0) for process, sec in services.cpu().items()
        }
        cpu["postgresql (all processes)"] = postgres_cpu_seconds() - postgres_before
        cpu["simulator+poster (this process)"] = (
            cpu_seconds(os.getpid()) - cpu_before["simulator+poster (this process)"]
        )
        problems = compare(services.web_url, args.year, simulation.truth())
        figure_times = latencies(f"{services.web_url}/v1/figures", {"year": args.year}, 2000, 8)
        memory = services.peak_memory()
    finally:
        services.stop()
    memory["simulator+poster (this process)"] = peak_memory_mib(os.getpid())
    verified = verify(engine_for(database_url))
    rows, copy_seconds = copy_baseline(database_url, args.year, scale, args.seed)
    return {
        "name": name if profiles else f"{name} (without profiles)",
        "database_url": database_url,
        "scale": scale,
        "batch_size": batch_size,
        "events": posted_events,
        "posted_seconds": posted,
        "applied_seconds": applied,
        "copy_rows": rows,
        "copy_seconds": copy_seconds,
        "figures_p50_ms": percentile(figure_times, 50) * 1000,
        "figures_p99_ms": percentile(figure_times, 99) * 1000,
        "cpu": cpu,
        "memory": memory,
        "problems": problems,
        "verify": f"{verified.cells} cells, {len(verified.differences)} differences",
        "exact": not problems and not verified.differences,
    }


def lines_of(args: argparse.Namespace, run: dict[str, Any]) -> list[str]:
    events_per_s = run["events"] / run["applied_seconds"]
    applying = sum(
        sec for name, sec in run["cpu"].items() if name.startswith(("worker", "postgresql"))
    )
    copy_rate = run["copy_rows"] / run["copy_seconds"]
    return [
        f"{run['name']}: year {args.year}, scale {run['scale']}, seed {args.seed}, "
        f"{args.workers} workers, {args.clients} clients, batches of {run['batch_size']}",
        f"  events posted              {run['events']:>12,}",
        f"  ingest (all 202)           {run['posted_seconds']:>11.1f} s"
        f"  {run['events'] / run['posted_seconds']:>10,.0f} ev/s",
        f"  end to end (pending == 0)  {run['applied_seconds']:>11.1f} s"
        f"  {events_per_s:>10,.0f} ev/s",
        f"  last 202 to pending == 0   {run['applied_seconds'] - run['posted_seconds']:>11.2f} s",
        f"  baseline: COPY bare table  {run['copy_seconds']:>11.1f} s  {copy_rate:>10,.0f} rows/s",
        f"  ratio end-to-end / COPY    {events_per_s / copy_rate:>12.3f}",
        f"  GET /v1/figures p50 / p99  {run['figures_p50_ms']:>8.1f} ms / "
        f"{run['figures_p99_ms']:.1f} ms (2000 requests, 8 clients)",
        *(f"  peak memory {name:<32} {mib:>8.0f} MiB" for name, mib in run["memory"].items()),
        *(f"  CPU until applied {name:<26} {sec:>8.1f} s" for name, sec in run["cpu"].items()),
        f"  CPU of workers + PostgreSQL {applying * 1e6 / run['events']:>9.1f} µs per event",
        f"  exact at every level       {'yes' if run['exact'] else 'NO'} "
        f"(simulator's truth; bilan verify: {run['verify']})",
        *(f"    {problem}" for problem in run["problems"][:10]),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--run", choices=[*RUNS, "both"], default="both", help="both: small then national"
    )
    parser.add_argument("--scale", type=float, default=None, help="instead of the run's")
    parser.add_argument("--batch-size", type=int, default=None, help="instead of the run's")
    parser.add_argument("--year", type=int, default=2007)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--database", default="bilan_bench")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--logs", type=Path, default=Path("var/benchmark-logs"))
    parser.add_argument(
        "--profiles",
        choices=["on", "off", "compare"],
        default="on",
        help="first receptions with the simulated profiles (on), without (off), or the "
        "national run three times each way, interleaved, with the medians (compare)",
    )
    args = parser.parse_args()
    if args.profiles == "compare":
        from benchmarks.profile_runs import compare_profiles  # it runs this module's runs

        return compare_profiles(args)

    names = list(DEFAULT_RUNS) if args.run == "both" else [args.run]
    runs = []
    for name in names:
        scale, batch_size = RUNS[name]
        runs.append(
            run_once(
                args,
                name,
                args.scale or scale,
                args.batch_size or batch_size,
                args.profiles == "on",
            )
        )
    national = runs[-1]
    consolidation = measure_consolidation(national["database_url"], args.year)

    lines = [line for run in runs for line in lines_of(args, run)]
    lines += [
        f"consolidation of {args.year} ({consolidation['events']:,} events of the "
        f"{national['name']} run): {consolidation['consolidation_seconds']:.1f} s; plain "
        f"GROUP BY (structure, youth) over the same events: "
        f"{consolidation['baseline_group_by_seconds']:.1f} s; ratio {consolidation['ratio']}",
        f"database kept for benchmarks/consolidation.py: {national['database_url']}",
    ]
    print("\n".join(lines))
    summary = {
        run["name"]: {
            "events": run["events"],
            "end_to_end_events_per_s": round(run["events"] / run["applied_seconds"]),
            "ingest_events_per_s": round(run["events"] / run["posted_seconds"]),
            "copy_rows_per_s": round(run["copy_rows"] / run["copy_seconds"]),
            "exact": run["exact"],
        }
        for run in runs
    }
    summary["consolidation"] = {
        k: consolidation[k] for k in ("consolidation_seconds", "baseline_group_by_seconds", "ratio")
    }
    print(json.dumps(summary))
    return 0 if all(run["exact"] for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
