"""Failed authentications counted per client address, to slow down token guessing.

Only failures count, and only after a token was looked up and refused: a request with
a valid token is never counted nor held back, whatever its address did before (a
source posting events behind the same NAT as a guesser keeps posting). Past the limit
(``BILAN_AUTH_FAILURE_LIMIT``, 10 a minute by default) a failure is answered ``429``
with ``Retry-After`` instead of ``401``.

Counted by the ``limits`` library (Flask-Limiter's core, a moving window) in the
broker's Redis when there is one, so that every replica of ingest and web shares the
count; in the process's memory otherwise. If that shared store cannot be reached, the
failures are counted in this process's memory meanwhile — each replica then allows the
limit on its own, which still slows a guesser down — and the shared store is tried again
every few seconds; ``/readyz`` says so (``degraded``) without calling the process
unready. A request never waits more than half a second for the store.
"""

from __future__ import annotations

import logging
import math
import threading
import time

from limits import parse
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger(__name__)

# How long a request may wait for the shared store, and how often it is tried again while
# it is unreachable.
STORE_TIMEOUT_SECONDS = 0.5
RETRY_SECONDS = 5.0
DEGRADED = "counted per process: the shared store of failed authentications is unreachable"


def _store(url: str) -> Storage:
    # Without timeouts a store that drops packets would hold every refused request.
    timeouts = (
        {"socket_timeout": STORE_TIMEOUT_SECONDS, "socket_connect_timeout": STORE_TIMEOUT_SECONDS}
        if url.startswith(("redis://", "rediss://"))
        else {}
    )
    store = storage_from_string(url, **timeouts)
    if not isinstance(store, Storage):
        raise ValueError(f"{url}: an asynchronous store, this service is not asynchronous")
    return store


class FailedAuthentications:
    """The failures of each client address within the limit's window."""

    def __init__(self, storage_url: str, limit: str) -> None:
        self._limit = parse(limit)
        self._configured = _store(storage_url)
        self._shared = not isinstance(self._configured, MemoryStorage)
        self._window = MovingWindowRateLimiter(self._configured)
        # Where failures go while the shared store is unreachable.
        self._fallback = MovingWindowRateLimiter(MemoryStorage()) if self._shared else None
        self._lock = threading.Lock()
        self._unreachable_until = 0.0  # time.monotonic() before which it is not tried
        self._unreachable = False

    def refused(self, address: str) -> int | None:
        """Count one failure of ``address``; None while within the limit, else the seconds
        until it may try again."""
        key = address or "unknown"
        if self._fallback is None or time.monotonic() >= self._unreachable_until:
            try:
                answer = self._count(self._window, key)
            except Exception as exc:  # noqa: BLE001 - any storage failure: count here
                self._mark_unreachable(exc)
            else:
                self._mark_reachable()
                return answer
        assert self._fallback is not None
        return self._count(self._fallback, key)

    def degraded(self) -> str | None:
        """Why the count is not what the settings ask for right now (the shared store does
        not answer: it is asked), or None."""
        if not self._shared:
            return None
        try:
            reachable = bool(self._configured.check())
        except Exception as exc:  # noqa: BLE001 - unreachable, whatever the reason
            self._mark_unreachable(exc)
            return DEGRADED
        if not reachable:
            self._mark_unreachable(ConnectionError("no answer to a check"))
            return DEGRADED
        self._mark_reachable()
        return None

    def _count(self, window: MovingWindowRateLimiter, key: str) -> int | None:
        if window.hit(self._limit, "auth-failures", key):
            return None
        reset = window.get_window_stats(self._limit, "auth-failures", key).reset_time
        return max(1, math.ceil(reset - time.time()))

    def _mark_unreachable(self, exc: Exception) -> None:
        with self._lock:
            self._unreachable_until = time.monotonic() + RETRY_SECONDS
            if self._unreachable:
                return
            self._unreachable = True
        log.warning("failed authentications %s (%s: %s)", DEGRADED, type(exc).__name__, exc)

    def _mark_reachable(self) -> None:
        with self._lock:
            if not self._unreachable:
                return
            self._unreachable = False
            self._unreachable_until = 0.0
        log.warning("failed authentications counted in the shared store again")
