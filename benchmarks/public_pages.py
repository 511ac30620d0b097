"""The public pages under production settings: browsed by many clients while events stream.

On a database filled by ``benchmarks/pipeline.py`` (``bilan_bench``: the national year), starts
the real ``bilan ingest``, workers and ``bilan web`` twice — with statistical confidentiality on
(``BILAN_PUBLIC_MIN_COUNT=5``, the public edition published by the workers) and, as the baseline
of the same run, off — and each time:

- times the first answer of a freshly started web for a national page, a region's and a
  structure's (with the rule on, the edition already published: its whole publication, from
  nothing, is timed first, in this process, as a worker does it);
- streams new simulated events of the year to ingest at ``--rate`` events/s;
- lets ``--clients`` clients browse ``/``, ``/?region=…``, ``/?structure=…``, ``/donnees.json…``
  and ``/export.csv…`` like browsers — each sends back the ``ETag`` it last got for a URL
  (``If-None-Match``) and waits ``--interval`` seconds between requests — for ``--seconds``;
- prints p50 / p99 / max latency, requests/s, the share of ``304``, the errors, the editions
  published meanwhile (their publication time) and each process's peak memory.

    python benchmarks/public_pages.py                         # on bilan_bench (national)
    python benchmarks/public_pages.py --fill 0.01 --seconds 20  # a small database first

``--fill SCALE`` first (re)creates the database ``--database-url`` names with a simulated year
at that scale, posted through ingest and applied. Every run adds its streamed events (a new
seed each time, printed) to the database. The last line is the same as JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import redis
from sqlalchemy import delete, func, select, update

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.browsers import browse
from benchmarks.pipeline import fresh_database
from benchmarks.processes import Services
from shared.access.tokens import create_token
from shared.publication.edition import publish, snapshot
from shared.registry import import_structures
from shared.storage.db import engine_for, session_factory
from shared.storage.models.log import Batch
from shared.storage.models.publication import PublicEdition, PublishedCell, PublishedProfileCell
from shared.storage.models.registry import Structure
from shared.storage.schema import upgrade_database
from simulator.generate import YearSimulation
from simulator.post import post_events
from simulator.registry import demo_structures

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bilan_bench"


def filled(args: argparse.Namespace) -> None:
    """A fresh database with the demo registry and a simulated year, applied."""
    server, _, name = args.database_url.rpartition("/")
    fresh_database(f"{server}/postgres", name)
    upgrade_database(args.database_url)
    structures = demo_structures()
    with session_factory(engine_for(args.database_url)).begin() as session:
        import_structures(session, structures)
    services = Services(args.database_url, args.redis, args.logs / "fill", workers=args.workers)
    services.start()
    try:
        simulation = YearSimulation(args.year, args.fill, args.seed, structures)
        report = post_events(
            simulation.events(), f"{services.ingest_url}/v1/events", source_token(args),
            batch_size=5000, clients=4, total=simulation.estimated_events,
        )  # fmt: skip
        wait_applied(services.web_url, args.year)
    finally:
        services.stop()
    print(f"filled {report.events:,} events of {args.year} (scale {args.fill})", flush=True)


def source_token(args: argparse.Namespace) -> str:
    with session_factory(engine_for(args.database_url)).begin() as session:
        return create_token(session, "source")


def wait_applied(web_url: str, year: int) -> None:
    while True:
        answer = httpx.get(f"{web_url}/v1/figures", params={"year": year}, timeout=60).json()
        if answer["pending_events"] == 0:
            return
        time.sleep(1)


def urls(args: argparse.Namespace) -> dict[str, list[str]]:
    """What the clients browse, by kind: pages, their data call and their CSV export, for the
    nation, a few regions and a few structures of the registry."""
    with session_factory(engine_for(args.database_url))() as session:
        structures = session.execute(
            select(Structure.structure_id, Structure.region).order_by(Structure.structure_id)
        ).all()
    rnd = random.Random(args.seed)
    regions = rnd.sample(sorted({region for _, region in structures}), 4)
    ids = [sid for sid, _ in rnd.sample(structures, 4)]
    year = f"year={args.year}"
    filters = [
        year,
        *(f"{year}&region={r}" for r in regions),
        *(f"{year}&structure=" + s for s in ids),
    ]
    return {
        "page": [f"/?{query}" for query in filters],
        "data": [f"/donnees.json?{query}" for query in filters],
        "csv": [f"/export.csv?{query}" for query in filters],
    }


def reset_edition(database_url: str) -> None:
    """No edition published yet, as before the rule was turned on."""
    with session_factory(engine_for(database_url)).begin() as session:
        session.execute(delete(PublishedCell))
        session.execute(delete(PublishedProfileCell))
        session.execute(delete(PublicEdition))
        session.execute(update(Batch).values(published_in=None))


def whole_publication(database_url: str, min_count: int) -> dict[str, Any]:
    """The first edition published from nothing, as a worker does it (this process)."""
    reset_edition(database_url)
    with session_factory(engine_for(database_url)).begin() as session:
        snapshot(session)
        done = publish(session, min_count)
    assert done is not None
    return {"seconds": round(done.seconds, 3), "cells": done.cells, "components": done.components}


def cold_answers(web_url: str, kinds: dict[str, list[str]]) -> dict[str, float]:
    """The first answer of a freshly started web: a national page, a region's, a structure's."""
    pages = kinds["page"]
    national, region, structure = pages[0], pages[1], pages[-1]
    found = {}
    with httpx.Client(timeout=60) as http:
        for name, path in (("national", national), ("region", region), ("structure", structure)):
            start = time.perf_counter()
            http.get(f"{web_url}{path}").raise_for_status()
            found[name] = round((time.perf_counter() - start) * 1000, 1)
    return found


class Stream:
    """New events of the year posted to ingest at a fixed rate, until stopped."""

    def __init__(self, args: argparse.Namespace, ingest_url: str, seed: int) -> None:
        self.stop = threading.Event()
        self.posted = 0
        self.seconds = 0.0
        structures = demo_structures()
        self._events = YearSimulation(args.year, 0.05, seed, structures).events()
        self._thread = threading.Thread(
            target=self._run, args=(args, ingest_url, source_token(args)), daemon=True
        )

    def _until_stopped(self) -> Iterator[dict[str, Any]]:
        for event in self._events:
            if self.stop.is_set():
                return
            yield event

    def _run(self, args: argparse.Namespace, ingest_url: str, token: str) -> None:
        start = time.perf_counter()
        report = post_events(
            self._until_stopped(), f"{ingest_url}/v1/events", token,
            batch_size=max(1, args.rate // 10), clients=2, rate=args.rate, progress=False,
        )  # fmt: skip
        self.posted, self.seconds = report.accepted, time.perf_counter() - start

    def __enter__(self) -> Stream:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self._thread.join(60)


def editions_since(database_url: str, moment: float) -> dict[str, Any]:
    """The editions published since ``moment`` (time.time()): how many, their publication."""
    since = dt.datetime.fromtimestamp(moment, dt.UTC)
    with session_factory(engine_for(database_url))() as session:
        row = session.execute(
            select(
                func.count(), func.avg(PublicEdition.seconds), func.max(PublicEdition.seconds)
            ).where(PublicEdition.published_at >= since)
        ).one()
    return {
        "count": row[0],
        "mean_seconds": None if row[1] is None else round(row[1], 3),
        "max_seconds": None if row[2] is None else round(row[2], 3),
    }


def phase(args: argparse.Namespace, min_count: int, kinds: dict[str, list[str]]) -> dict[str, Any]:
    """One run of the services with the rule at ``min_count``; its measures."""
    label = f"k={min_count}"
    result: dict[str, Any] = {"min_count": min_count}
    if min_count > 0:
        result["whole_publication"] = whole_publication(args.database_url, min_count)
    redis.Redis.from_url(args.redis).flushdb()
    settings = {"BILAN_PUBLIC_MIN_COUNT": str(min_count)}
    services = Services(
        args.database_url, args.redis, args.logs / label, workers=args.workers, settings=settings
    )
    services.start()
    try:
        result["cold_ms"] = cold_answers(services.web_url, kinds)
        seed = args.stream_seed + min_count
        print(f"{label}: streaming {args.rate} events/s (seed {seed}), browsing…", flush=True)
        began = time.time()
        with Stream(args, services.ingest_url, seed) as stream:
            time.sleep(args.warmup)
            result["load"] = browse(
                services.web_url, kinds, args.clients, args.seconds, args.interval
            )
        result["streamed_events_per_s"] = round(stream.posted / stream.seconds, 1)
        result["editions"] = editions_since(args.database_url, began)
        result["memory_mib"] = {k: round(v) for k, v in services.peak_memory().items()}
    finally:
        services.stop()
    return result


def lines_of(args: argparse.Namespace, runs: list[dict[str, Any]]) -> list[str]:
    lines = [
        f"{args.clients} clients browsing every {args.interval:g} s for {args.seconds:g} s while "
        f"events stream at {args.rate}/s, {args.workers} workers, year {args.year}",
        f"{'':24}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'req/s':>8}{'304':>7}{'errors':>8}",
    ]
    for run in runs:
        load = run["load"]
        name = "confidentiality off" if run["min_count"] == 0 else f"k = {run['min_count']}"
        lines.append(
            f"{name:24}{load['p50_ms']:9.1f}{load['p99_ms']:9.1f}{load['max_ms']:9.1f}"
            f"{load['per_second']:8.1f}{load['not_modified_share']:7.0%}{load['errors']:8}"
        )
        for kind, values in load["by_kind"].items():
            lines.append(
                f"  {kind:22}{values['p50_ms']:9.1f}{values['p99_ms']:9.1f}{values['max_ms']:9.1f}"
            )
    for run in runs:
        name = "confidentiality off" if run["min_count"] == 0 else f"k = {run['min_count']}"
        cold = run["cold_ms"]
        lines.append(
            f"{name}: first answer of a fresh web — national page {cold['national']} ms, "
            f"a region's {cold['region']} ms, a structure's {cold['structure']} ms; "
            f"events streamed {run['streamed_events_per_s']}/s"
        )
        if "whole_publication" in run:
            whole, editions = run["whole_publication"], run["editions"]
            lines.append(
                f"  whole edition published from nothing: {whole['seconds']} s "
                f"({whole['cells']} cells, {whole['components']} components); during the load "
                f"{editions['count']} editions, {editions['mean_seconds']} s each on average, "
                f"{editions['max_seconds']} s at most"
            )
        lines.append(
            "  peak memory: " + ", ".join(f"{k} {v} MiB" for k, v in run["memory_mib"].items())
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--fill", type=float, metavar="SCALE", default=None)
    parser.add_argument("--year", type=int, default=2007)
    parser.add_argument("--seed", type=int, default=1, help="of --fill, and of the URLs chosen")
    parser.add_argument(
        "--stream-seed", type=int, default=int(time.time()) % 1_000_000,
        help="of the streamed events (new ones each run by default)",
    )  # fmt: skip
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--rate", type=int, default=500, help="events streamed per second")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between requests")
    parser.add_argument("--seconds", type=float, default=60.0, help="of browsing per run")
    parser.add_argument("--warmup", type=float, default=5.0, help="streaming before browsing")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--logs", type=Path, default=Path("var/benchmark-logs/public-pages"))
    args = parser.parse_args()
    if args.fill is not None:
        filled(args)
    kinds = urls(args)
    runs = [phase(args, args.min_count, kinds), phase(args, 0, kinds)]
    print("\n".join(lines_of(args, runs)))
    print(json.dumps({"arguments": {k: str(v) for k, v in vars(args).items()}, "runs": runs}))
    return 1 if any(run["load"]["errors"] for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
