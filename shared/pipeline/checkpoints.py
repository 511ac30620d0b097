"""Named points of the concurrent protocols, where a test can pause a transaction.

The apply and ingest protocols (shared/pipeline/counters.py, shared/pipeline/ingestion.py) call
``reached("<point>")`` at the moments where another transaction could interleave:
after a lock is taken, after a lookup, before the caller commits. In production
nothing is installed and a call costs one global read. Interleaving tests
(tests/integration/test_interleavings.py) install a hook that stops the calling
thread at a chosen point until the test lets it go, so that each dangerous order
of two transactions is driven step by step instead of being hoped for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

Hook = Callable[[str], None]
_hook: Hook | None = None


def reached(point: str) -> None:
    """Tell an installed test hook that this thread reached ``point``."""
    if _hook is not None:
        _hook(point)


@contextmanager
def installed(hook: Hook) -> Iterator[None]:
    """Install ``hook`` for the duration of a test."""
    global _hook
    previous, _hook = _hook, hook
    try:
        yield
    finally:
        _hook = previous
