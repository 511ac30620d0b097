"""Where a claim's time goes: the same filled year applied in one process, with and without
the first receptions' profiles, each step of ``apply_batches`` timed (wall and this
process's CPU; the difference is mostly PostgreSQL) beside the PostgreSQL backends' CPU.

No ingest, broker or second worker: the year's events are copied into the log in batches
once (``--fill``, two template databases), then each run applies a fresh copy of a template
claim after claim, as a worker does. The two ways alternate (``--rounds``), so that a drift
of the machine weighs on both alike; the run without profiles is the baseline. After each
run, the share of the counter tables' updates that stayed on their page (HOT).

    python benchmarks/apply_steps.py --fill --scale 0.1     # once (≈1 min)
    python benchmarks/apply_steps.py [--claim 50000] [--rounds 2] [--consolidations 5]

``--consolidations N`` then consolidates each applied copy N times, alternating (the
pipeline benchmark consolidates once per run, beside a machine's drift of ±10 %): the
medians, and the plain ``GROUP BY`` of benchmarks/consolidation.py as the baseline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
COLUMNS = (
    "event_id", "batch_id", "type", "occurred_on", "structure_id", "region", "youth_id",
    "outcome", "exit_reason", "channel", "youth_sex", "youth_birth_year",
    "youth_education_level",
)  # fmt: skip


def _admin() -> Any:
    return create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")


def fill(name: str, scale: float, batch: int, profiles: bool) -> int:
    """A template database holding the simulated year in ``batch``-event batches, none
    applied (retractions left out: they need the ingest's index of retractions)."""
    from shared.registry import import_structures
    from shared.storage.db import engine_for, session_factory
    from shared.storage.schema import upgrade_database
    from simulator.generate import YearSimulation
    from simulator.registry import demo_structures

    with _admin().connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"{SERVER}/{name}"
    upgrade_database(url)
    structures = demo_structures()
    with session_factory(engine_for(url)).begin() as session:
        import_structures(session, structures)
    regions = {sid: fields.region for sid, fields in structures}
    rows: list[tuple[Any, ...]] = []
    for e in YearSimulation(2007, scale, 1, structures).events():
        if e["type"] == "retraction":
            continue
        youth = e.get("youth") if profiles else None
        rows.append(
            (
                e["event_id"], f"b{len(rows) // batch:06d}", e["type"], e["occurred_on"],
                e["structure_id"], regions[e["structure_id"]], e["youth_id"], e.get("outcome"),
                e.get("exit_reason"), e.get("channel"), youth and youth.get("sex"),
                youth and youth.get("birth_year"), youth and youth.get("education_level"),
            )
        )  # fmt: skip
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as connection:
        with connection.cursor() as cursor:
            for i in range(0, len(rows), batch):
                cursor.execute(
                    "INSERT INTO batches (batch_id, received_at, event_count, duplicates) "
                    "VALUES (%s, now() + make_interval(secs => %s), %s, 0)",
                    (f"b{i // batch:06d}", i / batch / 1000, len(rows[i : i + batch])),
                )
            with cursor.copy(f"COPY events ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE")
    return len(rows)


def _timed(steps: dict[str, list[float]]) -> None:
    """Wrap the steps of apply_batches so that each adds its wall and CPU seconds."""
    import shared.pipeline.codes as codes
    import shared.pipeline.counters as counters
    import shared.pipeline.profiles as profiles

    def wrap(owner: Any, name: str, label: str) -> None:
        inner: Callable[..., Any] = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return inner(*args, **kwargs)
            finally:
                steps[label][0] += time.perf_counter() - wall
                steps[label][1] += time.process_time() - cpu

        setattr(owner, name, timed)

    for name in ("look_up_set_based", "move_figures", "move_profile_figures", "save_profiles"):
        wrap(counters, name, name)
    wrap(counters, "move_other_years", "move_other_years")
    wrap(codes.Moves, "youth", "Moves.youth")
    wrap(codes.Moves, "figure_deltas", "Moves.figure_deltas")
    wrap(profiles.ProfileMoves, "youth", "ProfileMoves.youth")
    wrap(profiles.ProfileMoves, "moved", "ProfileMoves.moved")
    wrap(profiles.ProfileMoves, "figure_deltas", "ProfileMoves.figure_deltas")


def _postgres_cpu() -> float:
    """CPU seconds of every PostgreSQL process of the machine (the server is local)."""
    ticks = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/comm") as comm:
                if not comm.read().startswith("postgres"):
                    continue
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rpartition(") ")[2].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def apply_copy(template: str, claim: int, steps: dict[str, list[float]]) -> dict[str, Any]:
    """Apply a fresh copy of ``template`` claim after claim; totals and HOT shares."""
    from shared.pipeline.counters import apply_batches, claim_pending_batches
    from shared.storage.db import engine_for, session_factory

    name = f"{template}_run"
    with _admin().connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    engine = engine_for(f"{SERVER}/{name}")
    sessions = session_factory(engine)
    for step in steps.values():
        step[:] = [0.0, 0.0]
    wall, cpu, postgres = time.perf_counter(), time.process_time(), _postgres_cpu()
    claims = events = 0
    while True:
        with sessions.begin() as session:
            batch_ids = claim_pending_batches(session, claim)
            if not batch_ids:
                break
            events += apply_batches(session, batch_ids).events
            claims += 1
    result: dict[str, Any] = {
        "claims": claims,
        "events": events,
        "wall": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "postgres": _postgres_cpu() - postgres,
    }
    with engine.connect() as connection:
        result["hot"] = {
            table: (hot, updated)
            for table, hot, updated in connection.execute(
                text(
                    "SELECT relname, n_tup_hot_upd, n_tup_upd FROM pg_stat_user_tables "
                    "WHERE relname IN ('figure_counts', 'profile_counts') ORDER BY relname"
                )
            )
        }
    engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fill", action="store_true", help="build the two templates")
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--claim", type=int, default=50_000, help="events per claim")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--database", default="bilan_apply", help="templates' name prefix")
    parser.add_argument("--consolidations", type=int, default=0)
    args = parser.parse_args()
    templates = {True: f"{args.database}_on", False: f"{args.database}_off"}
    if args.fill:
        for profiles, template in templates.items():
            count = fill(template, args.scale, args.batch_size, profiles)
            print(f"{template}: {count:,} events in batches of {args.batch_size}")
        return
    steps: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    _timed(steps)
    for round_ in range(1, args.rounds + 1):
        for profiles, template in templates.items():
            run = apply_copy(template, args.claim, steps)
            way = "with profiles" if profiles else "without (baseline)"
            per_event = (run["cpu"] + run["postgres"]) / run["events"] * 1e6
            print(
                f"round {round_}, {way}: {run['events']:,} events in {run['claims']} claims, "
                f"{run['wall']:.2f} s; CPU this process {run['cpu']:.2f} s, PostgreSQL "
                f"{run['postgres']:.2f} s ({per_event:.1f} µs per event)"
            )
            for label, (wall, cpu) in sorted(steps.items(), key=lambda item: -item[1][0]):
                if wall >= 0.005:
                    print(f"  {label:28s} {wall:6.2f} s, of which CPU here {cpu:6.2f} s")
            for table, (hot, updated) in run["hot"].items():
                print(f"  {table}: {hot:,} of {updated:,} updates on their page (HOT)")
    if args.consolidations:
        consolidations(templates, args.consolidations)


def consolidations(templates: dict[bool, str], rounds: int) -> None:
    """Consolidate the two applied copies ``rounds`` times each, alternating: the medians."""
    from benchmarks.consolidation import measure

    seconds: dict[bool, list[float]] = {True: [], False: []}
    baselines: list[float] = []
    for _ in range(rounds):
        for profiles, template in templates.items():
            measured = measure(f"{SERVER}/{template}_run", 2007)
            seconds[profiles].append(measured["consolidation_seconds"])
            baselines.append(measured["baseline_group_by_seconds"])
    with_, without = (statistics.median(seconds[p]) for p in (True, False))
    print(
        f"consolidation, medians of {rounds}: with profiles {with_:.2f} s {seconds[True]}, "
        f"without {without:.2f} s {seconds[False]}, ratio {with_ / without:.3f}; "
        f"plain GROUP BY {statistics.median(baselines):.2f} s"
    )


if __name__ == "__main__":
    main()
