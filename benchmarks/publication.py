"""The public edition's whole publication, timed against a baseline in the same run.

The first edition of a filled database, published from nothing as a worker does it
(``benchmarks/public_pages.py``'s ``whole_publication``: every component protected, every
cell written), with this checkout's code and with a baseline checkout's (``--baseline DIR``:
say a ``git worktree`` of the commit before a change), runs interleaved, each in its own
process; prints each run's seconds, cells and components, then the medians.

    git worktree add /tmp/before <commit> && ln -s "$PWD/.venv" /tmp/before/.venv
    python benchmarks/publication.py --fill 0.03 --baseline /tmp/before   # a small year first
    python benchmarks/publication.py --baseline /tmp/before   # on bilan_bench as it is

``--fill SCALE`` first (re)creates the database with a simulated year at that scale, posted
through ingest and applied (``public_pages.py``'s ``filled``). The last line is the same as
JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.public_pages import DEFAULT_URL, filled

HERE = Path(__file__).resolve().parents[1]
# Run in the checkout timed: its own code publishes.
_PUBLISH = (
    "import json, sys; sys.path.insert(0, '.'); "
    "from benchmarks.public_pages import whole_publication; "
    "print(json.dumps(whole_publication(sys.argv[1], int(sys.argv[2]))))"
)


def timed(root: Path, database_url: str, min_count: int) -> dict[str, Any]:
    """One whole publication with the code of ``root``."""
    found = subprocess.run(
        [sys.executable, "-c", _PUBLISH, database_url, str(min_count)],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(found.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--baseline", type=Path, help="a checkout of the code compared with")
    parser.add_argument("--runs", type=int, default=3, help="of each, interleaved")
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--fill", type=float, metavar="SCALE", default=None)
    parser.add_argument("--year", type=int, default=2007)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--logs", type=Path, default=Path("var/benchmark-logs/publication"))
    args = parser.parse_args()
    if args.fill is not None:
        filled(args)
    roots = {"now": HERE, **({"baseline": args.baseline.resolve()} if args.baseline else {})}
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in roots}
    for run in range(args.runs):
        for name, root in roots.items():
            result = timed(root, args.database_url, args.min_count)
            runs[name].append(result)
            print(f"run {run + 1} {name:8} {json.dumps(result)}", flush=True)
    summary = {
        name: {
            "median_seconds": statistics.median(r["seconds"] for r in results),
            "cells": results[-1]["cells"],
            "components": results[-1]["components"],
        }
        for name, results in runs.items()
    }
    for name, figures in summary.items():
        print(
            f"{name:8} median {figures['median_seconds']:.3f} s, {figures['cells']} cells, "
            f"{figures['components']} components"
        )
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
