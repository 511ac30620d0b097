"""Time of a year-end consolidation on PostgreSQL, beside one plain GROUP BY over the same events.

Reads a database filled by ``benchmarks/pipeline.py`` (``bilan_bench`` by
default), runs the real consolidation job of a year (shared.consolidation:
recompute from the log, reconcile with the counters, merge the declarations,
freeze a new report version), and, in the same run, the baseline: one plain
``GROUP BY structure_id, youth_id`` over the year's events — the grouping the
recomputation cannot do without — and prints both and their ratio.

    python benchmarks/consolidation.py --database-url postgresql+psycopg://postgres@127.0.0.1/bilan_bench

``--fill SCALE`` first creates (or replaces) the database with a simulated
year at that scale COPYed straight into the event log (no counters: the
reconciliation then reports every figure as a difference, which costs the same),
for measuring a national year (``--fill 1.0``, ≈6.5 M events) without running the
whole pipeline first. Every version the benchmark writes is a real report version.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared.consolidation.jobs import consolidate
from shared.storage.db import engine_for

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bilan_bench"


def fill(database_url: str, year: int, scale: float, seed: int) -> int:
    """A fresh database holding the simulated year's events (COPY), the registry and schema."""
    import psycopg

    from shared.registry import import_structures
    from shared.storage.db import session_factory
    from shared.storage.schema import upgrade_database
    from simulator.generate import YearSimulation
    from simulator.registry import demo_structures

    server, _, name = database_url.rpartition("/")
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    upgrade_database(database_url)
    structures = demo_structures()
    with session_factory(engine_for(database_url)).begin() as session:
        import_structures(session, structures)
    regions = {sid: fields.region for sid, fields in structures}
    simulation = YearSimulation(year, scale, seed, structures)
    columns = (
        "event_id", "batch_id", "type", "occurred_on", "structure_id", "region", "youth_id",
        "outcome", "exit_reason", "channel",
    )  # fmt: skip
    count = 0
    with psycopg.connect(database_url.replace("postgresql+psycopg", "postgresql")) as connection:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO batches (batch_id, received_at, event_count, duplicates) "
                "VALUES ('bench-fill', now(), 0, 0)"
            )
            with cursor.copy(f"COPY events ({', '.join(columns)}) FROM STDIN") as copy:
                for e in simulation.events():
                    copy.write_row(
                        (
                            e["event_id"],
                            "bench-fill",
                            e["type"],
                            e["occurred_on"],
                            e["structure_id"],
                            regions[e["structure_id"]],
                            e["youth_id"],
                            e.get("outcome"),
                            e.get("exit_reason"),
                            e.get("channel"),
                        )
                    )
                    count += 1
            # Recorded, not applied: no worker is meant to run on this database.
            cursor.execute(
                "UPDATE batches SET event_count = %s WHERE batch_id = 'bench-fill'", (count,)
            )
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE events")
    return count


def baseline(database_url: str, year: int) -> tuple[int, float]:
    """One plain GROUP BY over the year's events; its rows and seconds."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        started = time.perf_counter()
        groups = connection.execute(
            text(
                "SELECT count(*) FROM (SELECT structure_id, youth_id, count(*) FROM events "
                "WHERE occurred_on >= :first AND occurred_on <= :last "
                "GROUP BY structure_id, youth_id) g"
            ),
            {"first": f"{year}-01-01", "last": f"{year}-12-31"},
        ).scalar_one()
        seconds = time.perf_counter() - started
    engine.dispose()
    return int(groups), seconds


def measure(database_url: str, year: int) -> dict[str, Any]:
    """Consolidate the year (a new report version) and time it beside the plain GROUP BY."""
    engine = engine_for(database_url)
    with engine.connect() as connection:
        events = connection.execute(
            text("SELECT count(*) FROM events WHERE occurred_on >= :f AND occurred_on <= :l"),
            {"f": f"{year}-01-01", "l": f"{year}-12-31"},
        ).scalar_one()
    # The baseline first and last, so that a cold cache favours neither side.
    groups, first_baseline = baseline(database_url, year)
    steps: list[tuple[float, float]] = []
    started = time.perf_counter()
    version = consolidate(engine, year, lambda p: steps.append((p, time.perf_counter())))
    seconds = time.perf_counter() - started
    _, second_baseline = baseline(database_url, year)
    group_by = min(first_baseline, second_baseline)
    phases = {
        f"to {p:.2f}": round(at - (steps[i - 1][1] if i else started), 3)
        for i, (p, at) in enumerate(steps)
    }
    return {
        "year": year,
        "events": events,
        "version": version,
        "consolidation_seconds": round(seconds, 2),
        "baseline_group_by_seconds": round(group_by, 2),
        "baseline_groups": groups,
        "ratio": round(seconds / group_by, 2) if group_by else None,
        "phases_seconds": phases,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--year", type=int, default=None, help="default: the year with most events")
    parser.add_argument("--fill", type=float, metavar="SCALE", default=None)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    if args.fill is not None:
        year = args.year or 2007
        started = time.perf_counter()
        count = fill(args.database_url, year, args.fill, args.seed)
        print(f"filled {count} events of {year} in {time.perf_counter() - started:.1f} s")
    engine = engine_for(args.database_url)
    with engine.connect() as connection:
        year = (
            args.year
            or connection.execute(
                text(
                    "SELECT extract(year FROM occurred_on)::int y FROM events "
                    "GROUP BY y ORDER BY count(*) DESC LIMIT 1"
                )
            ).scalar_one()
        )

    result = measure(args.database_url, year)
    seconds, group_by = result["consolidation_seconds"], result["baseline_group_by_seconds"]
    print(
        f"consolidation of {year} ({result['events']} events): {seconds:.1f} s; "
        f"plain GROUP BY (structure, youth) over the same events: {group_by:.1f} s; "
        f"ratio {seconds / group_by:.1f}"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
