"""A progress bar on stderr for long commands, fed with fractions from 0 to 1."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm


@contextmanager
def progress_bar(description: str, quiet: bool = False) -> Iterator[Callable[[float], None]]:
    """A callback that moves a percentage bar to the fraction it is given."""
    bar = tqdm(
        total=100,
        desc=description,
        unit="%",
        file=sys.stderr,
        disable=quiet,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}",
    )

    def progress(value: float) -> None:
        bar.update(max(round(value * 100) - bar.n, 0))

    try:
        yield progress
    finally:
        bar.close()
