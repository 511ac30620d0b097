"""The whole pipeline on PostgreSQL + Redis with the real processes: a simulated
year posted out of order with resends, a worker killed with SIGKILL and
restarted; once nothing is pending, every level equals the simulator's truth."""

from __future__ import annotations

import json
import random
import threading
import time
from pathlib import Path

import httpx
import pytest

from shared.figures import FIGURE_KEYS
from tests.support.processes import wait_http

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]


def post_all(url: str, token: str, batches: list[list[bytes]], clients: int = 3) -> list[dict]:
    answers: list[dict] = []
    queue = list(enumerate(batches))
    lock = threading.Lock()

    def client() -> None:
        with httpx.Client(timeout=60, headers={"Authorization": f"Bearer {token}"}) as http:
            while True:
                with lock:
                    if not queue:
                        return
                    _, batch = queue.pop(0)
                body = b"\n".join(batch)
                response = http.post(
                    url, content=body, headers={"Content-Type": "application/x-ndjson"}
                )
                assert response.status_code == 202, response.text
                with lock:
                    answers.append(response.json())

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_simulated_year_is_exact_at_every_level(
    processes, postgres_url, redis_url, tmp_path: Path
) -> None:
    processes.env.update(BILAN_DATABASE_URL=postgres_url, BILAN_BROKER_URL=redis_url)
    registry = tmp_path / "registry.csv"
    from simulator.registry import demo_structures, write_registry_csv

    write_registry_csv(registry, demo_structures())
    processes.run("structures", "import", str(registry))
    token = processes.run("token", "create", "--role", "source").strip().splitlines()[-1]

    events_file = tmp_path / "year.ndjson"
    output = processes.run(
        "simulate", "--year", "2007", "--scale", "0.004", "--seed", "11", "--out", str(events_file)
    )
    truth = json.loads(output.strip().splitlines()[-1])

    processes.start("ingest", "ingest")
    processes.start("worker-1", "worker")
    processes.start("worker-2", "worker")
    processes.start("web", "web")
    ingest = f"http://127.0.0.1:{processes.env['BILAN_INGEST_PORT']}"
    web = f"http://127.0.0.1:{processes.env['BILAN_WEB_PORT']}"
    wait_http(f"{ingest}/healthz")
    wait_http(f"{web}/healthz")

    rng = random.Random(5)
    lines = [line for line in events_file.read_bytes().splitlines() if line.strip()]
    rng.shuffle(lines)
    batches: list[list[bytes]] = []
    while lines:
        size = rng.randint(50, 400)
        batches.append(lines[:size])
        lines = lines[size:]
    resent = rng.sample(batches, len(batches) // 10)
    answers: list[dict] = []
    posting = threading.Thread(
        target=lambda: answers.extend(post_all(f"{ingest}/v1/events", token, batches + resent))
    )
    posting.start()
    # Kill worker-1 while the workers have a backlog, i.e. most likely mid-transaction.
    backlog = 0
    while posting.is_alive() and backlog < 500:
        backlog = httpx.get(f"{web}/v1/figures", params={"year": 2007}).json()["pending_events"]
        time.sleep(0.05)
    processes.kill("worker-1")
    time.sleep(1.0)
    processes.start("worker-1b", "worker")
    posting.join()
    assert backlog >= 500, "the worker was not killed under load"

    distinct = {json.loads(line)["event_id"] for batch in batches for line in batch}
    assert sum(a["accepted"] for a in answers) == len(distinct)
    assert sum(a["duplicates"] for a in answers) == sum(len(b) for b in resent)

    deadline = time.monotonic() + 300
    while True:
        national = httpx.get(f"{web}/v1/figures", params={"year": 2007}).json()
        if national["pending_events"] == 0:
            break
        assert time.monotonic() < deadline, f"still {national['pending_events']} pending events"
        time.sleep(1)

    # Exact equality, rates included: both sides divide the same two integers.
    assert national["figures"] == truth["national"]
    for by, level in (("region", "regions"), ("structure", "structures")):
        rows = httpx.get(f"{web}/v1/figures/breakdown", params={"year": 2007, "by": by}).json()
        assert {row["key"]: row["figures"] for row in rows["rows"]} == truth[level]
    assert set(national["figures"]) == set(FIGURE_KEYS)
    # The simulator's 2007 quotas at this scale, independent of any definition code.
    assert national["figures"]["youths_interviewed"] == round(995_800 * 0.004)
    assert national["figures"]["interviews"] == round(3_600_000 * 0.004)
