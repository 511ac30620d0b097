"""benchmarks/pipeline.py with and without profiles (issue 19): the national year's events
posted as simulated, and with their first receptions stripped of the ``youth`` object.

    python benchmarks/pipeline.py --profiles compare
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections.abc import Iterator
from typing import Any


def without_profiles(events: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The same events, first receptions without their ``youth`` object: every youth's
    profile unknown, so no profile ever changes (the run "without profiles")."""
    for event in events:
        event.pop("youth", None)
        yield event


def compare_profiles(args: argparse.Namespace, rounds: int = 3) -> int:
    """The national year with and without profiles, ``rounds`` times each, interleaved (so
    that a drift of the machine weighs on both alike): the medians of the end-to-end rate
    and of the consolidation time (each run's the median of three), and their ratios (issue
    19: within 10 %)."""
    from benchmarks.consolidation import measure as measure_consolidation
    from benchmarks.pipeline import RUNS, lines_of, run_once

    scale, batch_size = RUNS["national"]
    scale, batch_size = args.scale or scale, args.batch_size or batch_size
    measured: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    exact = True
    for _ in range(rounds):
        for profiles in (True, False):
            run = run_once(args, "national", scale, batch_size, profiles)
            # Three consolidations of the run's year, their median: the first alone also
            # analyzes the freshly loaded log (autovacuum is off here) and meets a cache
            # the load has just churned, which spread one way's runs by more than the
            # profiles' whole share (docs/performance.md, "The profiles' cost").
            seconds = [
                measure_consolidation(run["database_url"], args.year)["consolidation_seconds"]
                for _ in range(3)
            ]
            rate = run["events"] / run["applied_seconds"]
            measured[profiles].append((rate, statistics.median(seconds)))
            exact = exact and run["exact"]
            print("\n".join(lines_of(args, run)), flush=True)
            print(f"  consolidations (s)             {seconds}", flush=True)
    medians = {
        profiles: (
            statistics.median(rate for rate, _ in values),
            statistics.median(seconds for _, seconds in values),
        )
        for profiles, values in measured.items()
    }
    (rate_on, cons_on), (rate_off, cons_off) = medians[True], medians[False]
    print(
        f"national year, medians of {rounds} interleaved runs each:\n"
        f"  end to end     with profiles {rate_on:>10,.0f} ev/s   without {rate_off:>10,.0f} "
        f"ev/s   ratio {rate_on / rate_off:.3f}\n"
        f"  consolidation  with profiles {cons_on:>10.1f} s      without {cons_off:>10.1f} s"
        f"      ratio {cons_on / cons_off:.3f}"
    )
    print(
        json.dumps(
            {
                "profiles_on": {"events_per_s": round(rate_on), "consolidation_s": cons_on},
                "profiles_off": {"events_per_s": round(rate_off), "consolidation_s": cons_off},
                "runs": {str(k): v for k, v in measured.items()},
                "exact": exact,
            }
        )
    )
    return 0 if exact else 1
