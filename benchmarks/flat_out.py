"""The clients of benchmarks/pipeline.py's ``flat`` run: bodies serialized before the clock
starts, posted by parallel clients as fast as the ingest answers, so that the run measures
ingest and workers alone (the simulated run also measures the simulator, which generates
and encodes its events while it posts them).

Also the drain: the seconds from the last ``202`` to ``pending_events`` 0, read straight
from the database every few milliseconds (the web's answer would add its own caching).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

import httpx
import msgspec

from shared.pipeline.live import pending_events
from shared.storage.db import engine_for, session_factory
from simulator.post import events_url


def serialized(events: Iterable[dict[str, Any]], batch_size: int) -> list[tuple[int, bytes]]:
    """The events as JSON array bodies of ``batch_size`` events: (events, body) each."""
    encode = msgspec.json.Encoder().encode
    stream: Iterator[dict[str, Any]] = iter(events)
    bodies = []
    while batch := list(islice(stream, batch_size)):
        bodies.append((len(batch), encode(batch)))
    return bodies


def post_flat_out(bodies: list[tuple[int, bytes]], url: str, token: str, clients: int) -> int:
    """POST every body, ``clients`` at a time, each client sending its next body as soon as
    the ingest answered the last; the events accepted. Any answer but 202 stops the run."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    target = events_url(url)
    queue = iter(bodies)
    lock = threading.Lock()
    errors: list[str] = []
    posted = [0]

    def client() -> None:
        with httpx.Client(timeout=120) as http:
            while not errors:
                with lock:
                    item = next(queue, None)
                if item is None:
                    return
                count, body = item
                response = http.post(target, content=body, headers=headers)
                if response.status_code != 202:
                    errors.append(f"{response.status_code}: {response.text[:500]}")
                    return
                with lock:
                    posted[0] += count

    threads = [threading.Thread(target=client, name=f"flat-{i}") for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"ingest refused a batch: {errors[0]}")
    return posted[0]


def wait_applied(database_url: str, poll_seconds: float = 0.01) -> float:
    """Wait until nothing is pending; the monotonic time it was first seen so."""
    sessions = session_factory(engine_for(database_url))
    while True:
        with sessions() as session:
            if pending_events(session) == 0:
                return time.perf_counter()
        time.sleep(poll_seconds)
