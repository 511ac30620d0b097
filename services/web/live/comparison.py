"""What the dashboard compares a year with, and how it says so (PUBLICATION.md: a period that
has not ended is "à date" and compared with the same period of the year before).

A year that has ended (in Europe/Paris) is compared, whole, with the whole year before. The
current year is compared up to its last complete month with the same months of the year
before — both years to date (SPEC §4.3, read from the live increments), never part of a year
with a whole one; its own figures are provisional, "à date". Before its first month is
complete there is nothing to compare yet: "n.d.", said as such.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.web.formatting import MONTHS, format_day
from shared.scopes import to_date_period, year_period


def _span(year: int, month: int) -> str:
    """January to ``month`` of ``year``, in words: "de janvier à novembre 2026"."""
    return f"janvier {year}" if month == 1 else f"de janvier à {MONTHS[month - 1]} {year}"


def _short_span(year: int, month: int) -> str:
    """The same, short: "janvier–novembre 2025"."""
    return f"janvier {year}" if month == 1 else f"janvier–{MONTHS[month - 1]} {year}"


@dataclass(frozen=True)
class Comparison:
    """How a year's figures are compared with the year before's, as of ``today``."""

    year: int
    today: dt.date
    # The last month compared, both years to date; None: whole years; 0: none complete yet.
    through: int | None

    @property
    def in_progress(self) -> bool:
        """The year has not ended: its figures are provisional, "à date"."""
        return self.year >= self.today.year

    @property
    def possible(self) -> bool:
        """Whether there is anything to compare yet."""
        return self.through != 0

    def periods(self) -> tuple[str, str]:
        """The periods compared: this year's and the year before's (years, or years to date;
        the years when nothing can be compared yet, unused then)."""
        if not self.through:
            return year_period(self.year), year_period(self.year - 1)
        return (
            to_date_period(self.year, self.through),
            to_date_period(self.year - 1, self.through),
        )

    @property
    def against(self) -> str:
        """What a change is measured against, in words, after the change itself."""
        if not self.through:
            return f"par rapport à {self.year - 1}"
        return (
            f"{_span(self.year, self.through)}, "
            f"par rapport à {_short_span(self.year - 1, self.through)}"
        )

    @property
    def previous(self) -> str:
        """The period of the year before that is compared, in words."""
        if not self.through:
            return str(self.year - 1)
        return _short_span(self.year - 1, self.through)

    @property
    def not_possible(self) -> str:
        """Why there is no change to show yet (after "n.d.")."""
        return f": aucun mois de {self.year} n'est encore complet"

    @property
    def sentence(self) -> str | None:
        """What the page says of a year that has not ended; None for a year that has."""
        if not self.in_progress:
            return None
        if self.year > self.today.year:
            status = f"{self.year} n'a pas commencé : ses chiffres sont provisoires."
        else:
            status = (
                f"{self.year} n'est pas terminée : ses chiffres sont provisoires, "
                f"à date du {format_day(self.today)}."
            )
        if not self.through:
            return (
                f"{status} Aucun mois de {self.year} n'est encore complet : les évolutions "
                f"par rapport à {self.year - 1} ne sont pas encore disponibles (n.d.)."
            )
        return (
            f"{status} Les évolutions portent sur les mois complets : "
            f"{_span(self.year, self.through)}, par rapport à "
            f"{_short_span(self.year - 1, self.through)}."
        )


def comparison(year: int, today: dt.date) -> Comparison:
    """How ``year`` is compared as of ``today`` (a day in Europe/Paris)."""
    if year < today.year:
        return Comparison(year, today, None)
    if year == today.year:
        return Comparison(year, today, today.month - 1)
    return Comparison(year, today, 0)
