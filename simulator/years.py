"""Consecutive simulated years (``bilan simulate --years 2005-2007``), with their truth.

The last year has the quotas of ``--scale`` (2007's key figures at 1.0), each earlier
one a few per cent less (``simulator.quotas.YEARLY_CHANGE``). Youths carry over from year
to year (``simulator.cohort``): a youth received in 2005 may be interviewed again in 2006
under the same id, has one first reception at most, and enters and leaves CIVIS once.
The years are generated one after the other — a year's youths depend on the years
before — and each is a ``YearSimulation`` of its own, with its truth.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from shared.registry import StructureFields
from simulator.cohort import Cohort
from simulator.generate import YearSimulation
from simulator.youth import KnownSplit

MAX_YEARS = 50


class YearsSimulation:
    """Years ``first`` to ``last``: ``years()`` gives each one's simulation in turn (exhaust
    each one's events before asking for the next), ``truth()`` all of them at the end."""

    def __init__(
        self,
        first: int,
        last: int,
        scale: float,
        seed: int,
        structures: Sequence[tuple[str, StructureFields]],
        until: dt.date | None = None,
    ) -> None:
        if not 0 <= last - first < MAX_YEARS:
            raise ValueError(f"from 1 to {MAX_YEARS} consecutive years, first to last")
        self.first, self.last, self.scale, self.seed = first, last, scale, seed
        self.structures = list(structures)
        self.until = until
        self.cohort = Cohort(first, last, seed, [sid for sid, _ in structures])
        self._done: list[YearSimulation] = []
        # Fail now rather than after years of events if a year's quotas cannot hold.
        for year in range(first, last + 1):
            KnownSplit.of(self._year(year).quotas)

    def _year(self, year: int) -> YearSimulation:
        return YearSimulation(
            year,
            self.scale,
            self.seed,
            self.structures,
            until=self.until,
            cohort=self.cohort,
            years_before=self.last - year,
        )

    @property
    def estimated_events(self) -> int:
        return sum(self._year(year).estimated_events for year in range(self.first, self.last + 1))

    def years(self) -> Iterator[YearSimulation]:
        """Each year's simulation, in order, once the previous one's events are out."""
        for year in range(self.first, self.last + 1):
            simulation = self._year(year)
            yield simulation
            self._done.append(simulation)

    def events(self) -> Iterator[dict[str, Any]]:
        """Every year's events, year after year."""
        for simulation in self.years():
            yield from simulation.events()

    def truth(self) -> dict[str, Any]:
        """Each year's true figures (as ``bilan simulate --year`` prints one), by year."""
        years = {str(simulation.year): simulation.truth() for simulation in self._done}
        if len(years) != self.last - self.first + 1:
            raise RuntimeError("truth() is known once every year's events are out")
        return {
            "first": self.first,
            "last": self.last,
            "scale": self.scale,
            "seed": self.seed,
            "events": sum(truth["events"] for truth in years.values()),
            "carried_over": self.cohort.carried,
            "years": years,
        }
