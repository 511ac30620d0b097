"""Stress: 4 real workers on PostgreSQL + Redis while several clients post batches and,
at the same moment from other clients, retractions of a fifth of their events (some
before their targets, some resent). Once nothing is pending, every cell — national,
each region, each structure, each month — equals the figures recomputed from the
distinct events posted, and ``bilan verify`` finds no difference (SPEC §7.2, §7.3).

It complements the step-by-step interleavings (tests/integration/test_interleavings.py):
those prove each dangerous order, this one looks for orders nobody thought of.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.pipeline.live import pending_events
from shared.pipeline.recompute import recompute_cells
from shared.storage.db import engine_for, session_factory
from tests.support.events import STRUCTURES, as_records, live_cells, nonzero
from tests.support.processes import wait_http

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis, pytest.mark.stress]

KINDS = [
    ("first_reception", {}), ("interview", {}), ("interview", {}), ("workshop", {}),
    ("contact", {"channel": "visit"}), ("outcome", {"outcome": "employment"}),
    ("outcome", {"outcome": "training"}), ("civis_entry", {}),
    ("civis_exit", {"exit_reason": "training"}),
]  # fmt: skip
WORKERS = 4
CLIENT_PAIRS = 3
BATCH = 150
EVENTS = 6000


def generated(seed: int) -> list[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """(batch, retractions of a fifth of it) pairs over few youths, so that claims collide."""
    rng = random.Random(seed)
    pairs = []
    for start in range(0, EVENTS, BATCH):
        batch = []
        for i in range(start, start + BATCH):
            kind, extra = rng.choice(KINDS)
            structure = rng.choice(sorted(STRUCTURES))
            batch.append({
                "event_id": f"s{seed}-e{i}", "type": kind, "structure_id": structure,
                "occurred_on": f"2007-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "youth_id": f"Y{rng.randrange(150)}", **extra,
            })  # fmt: skip
        retractions = [
            {"event_id": f"x-{t['event_id']}", "type": "retraction", "retracts": t["event_id"],
             "occurred_on": t["occurred_on"], "structure_id": t["structure_id"],
             "youth_id": t["youth_id"]}
            for t in rng.sample(batch, BATCH // 5)
        ]  # fmt: skip
        pairs.append((batch, retractions))
    return pairs


def post(http: httpx.Client, url: str, events: list[dict[str, Any]]) -> None:
    body = b"\n".join(json.dumps(e).encode() for e in events)
    response = http.post(url, content=body, headers={"Content-Type": "application/x-ndjson"})
    assert response.status_code == 202, response.text


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_retractions_posted_beside_their_targets_leave_every_cell_exact(
    processes, postgres_url, redis_url, tmp_path: Path, seed: int
) -> None:
    processes.env.update(
        BILAN_DATABASE_URL=postgres_url,
        BILAN_BROKER_URL=redis_url,
        BILAN_EVENTS_PER_CLAIM=str(2 * BATCH),  # claims of a batch or two: they interleave
    )
    registry = tmp_path / "registry.csv"
    registry.write_text(
        "structure_id,name,kind,region\n"
        + "".join(f"{s},{f.name},{f.kind},{f.region}\n" for s, f in STRUCTURES.items())
    )
    processes.run("structures", "import", str(registry))
    token = processes.run("token", "create", "--role", "source").strip().splitlines()[-1]
    processes.start("ingest", "ingest")
    for n in range(WORKERS):
        processes.start(f"worker-{n}", "worker", "--loglevel", "WARNING")
    url = f"http://127.0.0.1:{processes.env['BILAN_INGEST_PORT']}"
    wait_http(f"{url}/healthz")

    rng = random.Random(seed)
    work = generated(seed)
    queue = list(work)
    lock = threading.Lock()
    errors: list[BaseException] = []

    def client_pair() -> None:
        headers = {"Authorization": f"Bearer {token}"}
        with (
            httpx.Client(timeout=60, headers=headers) as a,
            httpx.Client(timeout=60, headers=headers) as b,
        ):
            while True:
                with lock:
                    if not queue:
                        return
                    batch, retractions = queue.pop(0)
                    early = rng.random() < 0.2  # the retractions go first
                    resend = rng.random() < 0.1
                # The batch and its retractions leave at the same moment, from two clients.
                barrier = threading.Barrier(2)
                first, second = (retractions, batch) if early else (batch, retractions)

                def send(http: httpx.Client, events: list[dict[str, Any]], barrier=barrier) -> None:
                    try:
                        barrier.wait()
                        post(http, f"{url}/v1/events", events)
                    except Exception as exc:  # noqa: BLE001 - asserted empty below
                        errors.append(exc)

                other = threading.Thread(target=send, args=(b, second))
                other.start()
                send(a, first)
                other.join()
                if resend:
                    post(a, f"{url}/v1/events", batch + retractions)

    clients = [threading.Thread(target=client_pair) for _ in range(CLIENT_PAIRS)]
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    assert not errors, errors

    sessions = session_factory(engine_for(postgres_url))
    deadline = time.monotonic() + 300
    while True:
        with sessions() as session:
            waiting = pending_events(session)
        if not waiting:
            break
        assert time.monotonic() < deadline, f"still {waiting} events pending"
        time.sleep(0.5)

    distinct = {e["event_id"]: e for batch, rs in work for e in (*batch, *rs)}
    expected = nonzero(recompute_cells(as_records(distinct.values())))
    live = live_cells(sessions)
    wrong = {c: (live.get(c), expected.get(c)) for c in live.keys() | expected.keys()
             if live.get(c) != expected.get(c)}  # fmt: skip
    assert not wrong, f"{len(wrong)} cells differ, e.g. {sorted(wrong.items())[:3]}"
    assert expected[("2007", "national")]["interviews"] > 0

    verified = subprocess.run(
        [sys.executable, "-m", "cli.main", "verify", "--quiet"],
        env=processes.env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "0 pending" in verified.stdout
