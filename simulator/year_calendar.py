"""The activity calendar of a simulated year: open days, seasonality, and the cut-off.

A *slot* is one unit of activity: an open day (a weekday that is not a public
holiday) has as many slots as its month's weight, so uniform draws over slots
follow the seasonality of the network's activity.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# Activity per month (January..December): quieter in summer and at Christmas,
# busiest at the start of the school year.
MONTH_WEIGHTS = (4, 4, 4, 4, 4, 4, 3, 2, 5, 5, 4, 3)


def french_holidays(year: int) -> set[dt.date]:
    """Public holidays: offices are closed, nothing is recorded."""
    # Easter Sunday (anonymous Gregorian algorithm).
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * el) // 433
    month = (h + el - 7 * m + 90) // 25
    easter = dt.date(year, month, (h + el - 7 * m + 33 * month + 19) % 32)
    fixed = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]
    movable = [easter + dt.timedelta(days=n) for n in (1, 39, 50)]
    return {dt.date(year, mm, dd) for mm, dd in fixed} | set(movable)


@dataclass(frozen=True)
class Calendar:
    """The slots of a year: the ISO day of each, the first slot of each one's day, and
    how many fall on or before ``until`` (all of them without a cut-off)."""

    days: list[str]
    day_first: list[int]
    limit: int

    @classmethod
    def of(cls, year: int, until: dt.date | None = None) -> Calendar:
        holidays = french_holidays(year)
        day = dt.date(year, 1, 1)
        days: list[str] = []
        day_first: list[int] = []
        limit = None
        while day.year == year:
            if until is not None and limit is None and day > until:
                limit = len(days)
            if day.weekday() < 5 and day not in holidays:
                weight = MONTH_WEIGHTS[day.month - 1]
                day_first.extend([len(days)] * weight)
                days.extend([day.isoformat()] * weight)
            day += dt.timedelta(days=1)
        return cls(days, day_first, len(days) if limit is None else limit)
