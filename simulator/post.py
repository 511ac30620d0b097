"""Sending a stream of events: to an ingest service in parallel batches, or to an NDJSON file.

``post_events`` groups events into batches, encodes each as a JSON array and has
``clients`` threads (one ``httpx.Client`` each) POST them. A batch that fails on
a connection error or a 502/503/504 is sent again, identical, after a backoff:
the ingest answers non-2xx only when nothing was recorded, and identical events
already recorded are mere duplicates, so a resend is always safe. Any other
error (4xx, 500) stops everything and is raised with the body the server gave.

Memory stays bounded: the events are consumed as the batches go out, and at most
a few batches per client wait in the queue.

For tests of the guarantees, ``shuffle_window`` mixes the arrival order (a
retraction may then arrive before its target) and ``resend`` posts a share of
the batches twice (the second time, every event is a duplicate).
"""

from __future__ import annotations

import queue
import random
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import msgspec
from tqdm import tqdm

EVENTS_PATH = "/v1/events"
_RETRIED_STATUSES = frozenset({502, 503, 504})
_MAX_BACKOFF = 30.0
_ERROR_BODY_CHARS = 4000


class PostError(RuntimeError):
    """The ingest refused a batch (or could not be reached in time); nothing more is sent."""


@dataclass
class PostReport:
    """What a posting did. ``events`` counts each event once, resends aside."""

    events: int = 0
    batches: int = 0
    accepted: int = 0
    duplicates: int = 0
    resent_batches: int = 0
    retries: int = 0
    seconds: float = 0.0

    def plus(self, other: PostReport) -> PostReport:
        """Two postings one after the other, as one."""
        return PostReport(
            *(getattr(self, name) + getattr(other, name) for name in self.__dataclass_fields__)
        )


@dataclass(frozen=True)
class _Batch:
    number: int
    body: bytes
    size: int
    resend: bool


def events_url(url: str) -> str:
    """The ingest endpoint: a bare base URL (``http://host:8081``) gets ``/v1/events``."""
    parts = urlsplit(url)
    if parts.path in ("", "/"):
        parts = parts._replace(path=EVENTS_PATH)
    return urlunsplit(parts)


def shuffled(
    events: Iterable[dict[str, Any]], window: int, seed: int = 0
) -> Iterator[dict[str, Any]]:
    """The events in a random order within a sliding window of ``window`` events."""
    if window <= 1:
        yield from events
        return
    rng = random.Random(f"bilan-shuffle:{seed}")
    buffer: list[dict[str, Any]] = []
    for event in events:
        buffer.append(event)
        if len(buffer) >= window:
            i = rng.randrange(len(buffer))
            buffer[i], buffer[-1] = buffer[-1], buffer[i]
            yield buffer.pop()
    rng.shuffle(buffer)
    yield from buffer


def _batches(events: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for event in events:
        batch.append(event)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class _LineProgress:
    """Progress as a plain line every ``interval`` seconds, for logs that are not a terminal.

    A tqdm bar redraws one line with carriage returns, which a log collector (or
    ``bilan up`` relaying this process) would only see at the very end. The total is an
    estimate (``~``): once the count passes it, it grows with the count.
    """

    def __init__(self, total: int | None, desc: str, interval: float = 10.0) -> None:
        self.total, self.desc, self.interval = total, desc, interval
        self.count = 0
        self.started = self.last = time.monotonic()
        self.postfix = ""

    def update(self, n: int) -> None:
        self.count += n
        if self.total is not None:
            self.total = max(self.total, self.count)
        now = time.monotonic()
        if now - self.last >= self.interval:
            self.last = now
            self._print(now)

    def set_postfix_str(self, text: str, refresh: bool = True) -> None:
        self.postfix = text

    def close(self) -> None:
        if self.count:
            self._print(time.monotonic())

    def _print(self, now: float) -> None:
        speed = self.count / max(now - self.started, 1e-9)
        of = f"/~{self.total}" if self.total else ""
        extra = f" ({self.postfix})" if self.postfix else ""
        print(
            f"{self.desc}: {self.count}{of} events, {speed:,.0f} ev/s{extra}",
            file=sys.stderr,
            flush=True,
        )
        self.postfix = ""


class EstimatedBar(tqdm):  # type: ignore[type-arg]
    """A tqdm bar whose total, an estimate, grows with the count once passed: it never shows
    more done than its total."""

    def update(self, n: float | None = 1) -> bool | None:
        if self.total is not None and n and self.n + n > self.total:
            self.total = self.n + n
        return super().update(n)


def _progress_bar(total: int | None, progress: bool, desc: str) -> tqdm[Any] | _LineProgress:
    if progress and not sys.stderr.isatty():
        return _LineProgress(total, desc)
    return EstimatedBar(
        total=total,
        unit="ev",
        unit_scale=True,
        desc=desc,
        file=sys.stderr,
        disable=not progress,
        smoothing=0.1,
        mininterval=0.5,
    )


def post_events(
    events: Iterable[dict[str, Any]],
    url: str,
    token: str,
    *,
    batch_size: int = 1000,
    clients: int = 4,
    rate: float | None = None,
    shuffle_window: int = 0,
    resend: float = 0.0,
    seed: int = 0,
    total: int | None = None,
    progress: bool = True,
    timeout: float = 120.0,
    max_attempts: int = 20,
    backoff: float = 0.5,
    transport: httpx.BaseTransport | None = None,
) -> PostReport:
    """POST the events to ``url`` (see ``events_url``) and report what the ingest answered.

    ``rate`` caps the events per second (None: as fast as the ingest takes them);
    batches then hold at most ``rate`` events so that the stream stays smooth.
    ``total`` only sizes the progress bar. ``transport`` is for tests.
    """
    if batch_size < 1 or clients < 1:
        raise ValueError("batch_size and clients must be at least 1")
    if not 0.0 <= resend <= 1.0:
        raise ValueError("resend is a fraction of batches, between 0 and 1")
    if rate is not None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        batch_size = min(batch_size, max(1, int(rate)))
    target = events_url(url)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    report = PostReport()
    lock = threading.Lock()
    failed = threading.Event()
    errors: list[BaseException] = []
    pending: queue.Queue[_Batch | None] = queue.Queue(maxsize=2 * clients)
    bar = _progress_bar(total, progress, "posting")

    def send(client: httpx.Client, batch: _Batch) -> dict[str, Any]:
        delay = backoff
        for attempt in range(1, max_attempts + 1):
            try:
                response = client.post(target, content=batch.body, headers=headers)
            except httpx.TransportError as exc:
                problem = f"{exc.__class__.__name__}: {exc}"
                wait = delay
            else:
                if response.is_success:
                    return response.json() if response.content else {}
                if response.status_code not in _RETRIED_STATUSES:
                    raise PostError(
                        f"POST {target} (batch {batch.number}, {batch.size} events) answered "
                        f"{response.status_code}: {response.text[:_ERROR_BODY_CHARS]}"
                    )
                problem = f"HTTP {response.status_code}"
                wait = _retry_after(response, delay)
            if failed.is_set():
                raise PostError(f"batch {batch.number} abandoned: another batch failed")
            if attempt == max_attempts:
                break
            with lock:
                report.retries += 1
            bar.set_postfix_str(f"retrying batch {batch.number}: {problem}", refresh=False)
            time.sleep(wait)
            delay = min(_MAX_BACKOFF, delay * 2)
        raise PostError(
            f"POST {target} (batch {batch.number}) failed {max_attempts} times: {problem}"
        )

    def work() -> None:
        with httpx.Client(timeout=timeout, transport=transport) as client:
            while True:
                try:
                    batch = pending.get(timeout=0.2)
                except queue.Empty:
                    if failed.is_set():
                        return
                    continue
                if batch is None or failed.is_set():
                    return
                try:
                    answer = send(client, batch)
                except BaseException as exc:  # noqa: BLE001 - handed to the main thread, which raises it
                    errors.append(exc)
                    failed.set()
                    return
                with lock:
                    report.accepted += int(answer.get("accepted", 0))
                    report.duplicates += int(answer.get("duplicates", 0))
                    if batch.resend:
                        report.resent_batches += 1
                    else:
                        report.batches += 1
                        report.events += batch.size
                        bar.update(batch.size)

    def put(batch: _Batch | None) -> None:
        while True:
            if failed.is_set():
                raise errors[0]
            try:
                pending.put(batch, timeout=0.2)
                return
            except queue.Full:
                continue

    workers = [threading.Thread(target=work, name=f"post-{i}", daemon=True) for i in range(clients)]
    for worker in workers:
        worker.start()
    encode = msgspec.json.Encoder().encode
    rng = random.Random(f"bilan-resend:{seed}")
    started = time.monotonic()
    produced = 0
    try:
        stream = shuffled(events, shuffle_window, seed)
        for number, batch in enumerate(_batches(stream, batch_size), start=1):
            if rate is not None:
                due = started + produced / rate
                now = time.monotonic()
                if due > now:
                    time.sleep(due - now)
            body = encode(batch)
            put(_Batch(number, body, len(batch), resend=False))
            if resend and rng.random() < resend:
                put(_Batch(number, body, len(batch), resend=True))
            produced += len(batch)
        for _ in workers:
            put(None)
        for worker in workers:
            worker.join()
    except BaseException:
        failed.set()
        raise
    finally:
        bar.close()
        report.seconds = time.monotonic() - started
    if errors:
        raise errors[0]
    return report


def _retry_after(response: httpx.Response, default: float) -> float:
    value = response.headers.get("Retry-After", "")
    try:
        return min(_MAX_BACKOFF, max(0.0, float(value)))
    except ValueError:
        return default


def write_ndjson(
    events: Iterable[dict[str, Any]],
    path: Path,
    *,
    total: int | None = None,
    progress: bool = True,
) -> int:
    """Write the events to ``path``, one JSON object per line; the number written."""
    encode = msgspec.json.Encoder().encode
    count = 0
    bar = _progress_bar(total, progress, "writing")
    try:
        with path.open("wb", buffering=1 << 20) as handle:
            for batch in _batches(events, 10_000):
                handle.write(b"".join(encode(event) + b"\n" for event in batch))
                count += len(batch)
                bar.update(len(batch))
    finally:
        bar.close()
    return count
