"""Driving concurrent transactions step by step on the real PostgreSQL.

A ``Transaction`` runs some work in a session of its own, in a thread, and can be
stopped at a named checkpoint of the protocols (shared/pipeline/checkpoints.py). ``start()``
returns once the transaction is stopped there, has finished, or is waiting for a
lock another transaction holds (read from ``pg_stat_activity``): the test then
knows exactly where each side stands before it takes the next step.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from shared.pipeline import checkpoints

STEP_SECONDS = 30.0
_running: dict[int, Transaction] = {}


def _hook(point: str) -> None:
    transaction = _running.get(threading.get_ident())
    if transaction is not None:
        transaction.reach(point)


@contextmanager
def stepping() -> Iterator[None]:
    """Let Transactions stop at checkpoints for the duration of a test."""
    with checkpoints.installed(_hook):
        yield


class Transaction:
    """``work(session)`` in one transaction of its own, optionally stopped at ``stop_at``."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        work: Callable[[Session], Any],
        stop_at: str | None = None,
        name: str = "transaction",
    ) -> None:
        self.sessions = sessions
        self.work = work
        self.stop_at = stop_at
        self.name = name
        self.points: list[str] = []
        self.result: Any = None
        self.error: BaseException | None = None
        self.pid: int | None = None
        self._stopped = threading.Event()
        self._resume = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def reach(self, point: str) -> None:
        self.points.append(point)
        if point == self.stop_at:
            self._stopped.set()
            if not self._resume.wait(STEP_SECONDS):
                raise TimeoutError(f"{self.name} was never resumed from {point}")

    def _run(self) -> None:
        _running[threading.get_ident()] = self
        try:
            with self.sessions.begin() as session:
                self.pid = session.scalar(text("SELECT pg_backend_pid()"))
                self.result = self.work(session)
        except Exception as exc:  # noqa: BLE001 - re-raised by finish(), in the test
            self.error = exc
        finally:
            _running.pop(threading.get_ident(), None)

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set() and not self._resume.is_set()

    def start(self) -> Transaction:
        """Run until stopped at the checkpoint, finished, or waiting for a lock."""
        self._thread.start()
        deadline = time.monotonic() + STEP_SECONDS
        while time.monotonic() < deadline:
            if self._stopped.is_set() or not self._thread.is_alive():
                return self
            if self.waiting_for_lock():
                return self
            time.sleep(0.01)
        raise TimeoutError(f"{self.name} neither stopped, finished nor waited")

    def waiting_for_lock(self) -> bool:
        if self.pid is None:
            return False
        with self.sessions() as session:
            wait = session.scalar(
                text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"),
                {"pid": self.pid},
            )
        return wait == "Lock"

    @property
    def done(self) -> bool:
        return self._thread.ident is not None and not self._thread.is_alive()

    def finish(self) -> Any:
        """Resume from the checkpoint (if stopped), wait for the commit, return the result."""
        self._resume.set()
        self._thread.join(STEP_SECONDS)
        if self._thread.is_alive():
            raise TimeoutError(f"{self.name} did not finish")
        if self.error is not None:
            raise self.error
        return self.result
