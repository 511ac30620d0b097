"""Failed authentications counted per client address, to slow down token guessing.

Only failures count, and only after a token was looked up and refused: a request with
a valid token is never counted nor held back, whatever its address did before (a
source posting events behind the same NAT as a guesser keeps posting). Past the limit
(``BILAN_AUTH_FAILURE_LIMIT``, 10 a minute by default) a failure is answered ``429``
with ``Retry-After`` instead of ``401``.

Counted by the ``limits`` library (Flask-Limiter's core, a moving window) in the
broker's Redis when there is one, so that every replica of ingest and web shares the
count; in the process's memory otherwise. If the store is unreachable, nothing is
limited: a failing counter must not turn away the valid requests.
"""

from __future__ import annotations

import logging
import math
import time

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger(__name__)


class FailedAuthentications:
    """The failures of each client address within the limit's window."""

    def __init__(self, storage_url: str, limit: str) -> None:
        self._limit = parse(limit)
        self._window = MovingWindowRateLimiter(storage_from_string(storage_url))

    def refused(self, address: str) -> int | None:
        """Count one failure of ``address``; None while within the limit, else the seconds
        until it may try again."""
        key = address or "unknown"
        try:
            if self._window.hit(self._limit, "auth-failures", key):
                return None
            reset = self._window.get_window_stats(self._limit, "auth-failures", key).reset_time
        except Exception as exc:  # noqa: BLE001 - any storage failure: do not limit
            log.warning("failed authentications not counted (%s): %s", type(exc).__name__, exc)
            return None
        return max(1, math.ceil(reset - time.time()))
