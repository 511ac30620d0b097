"""Periods (a year, a month of it, the year to date) and scopes (national, region,
structure).

Counters are keyed by strings: ``"2007"`` / ``"2007-03"`` for periods and
``"national"`` / ``"region:11"`` / ``"structure:ML-11-001"`` for scopes. The figures of the
year to date (SPEC §4.3) are kept as *increment* cells, ``"2007+03"``: what March adds to
2007's figures from 1 January (shared/pipeline/codes.py says why), so that the year to the end of
March is the sum of the increments of January to March. A to-date figure is named, where
the pages and the confidentiality need a cell for it, by the period ``"2007-01/03"``
(ISO 8601: January to March 2007); it is read, never stored.
"""

from __future__ import annotations

import calendar
import datetime as dt
from functools import cache
from typing import Literal

Level = Literal["national", "region", "structure"]
NATIONAL = "national"
PeriodKind = Literal["year", "month", "increment", "to_date"]
Cell = tuple[str, str]  # (period, scope): how figure_counts, the figures and the pages key them


def scope_key(level: Level, scope_id: str | None = None) -> str:
    return NATIONAL if level == "national" else f"{level}:{scope_id}"


def year_period(year: int) -> str:
    return f"{year:04d}"


def month_period(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_periods(year: int, through: int = 12) -> list[str]:
    """The month periods of ``year``, January to ``through`` (the whole year by default)."""
    return [f"{year:04d}-{month:02d}" for month in range(1, through + 1)]


def increment_period(year: int, month: int) -> str:
    """The period of the cell holding what ``month`` adds to ``year``'s figures to date."""
    return f"{year:04d}+{month:02d}"


def increment_periods(year: int) -> list[str]:
    """The twelve increment periods of ``year``'s figures to date, January first."""
    return [increment_period(year, month) for month in range(1, 13)]


def to_date_period(year: int, month: int) -> str:
    """The name of the year to date, January to the end of ``month`` (never stored)."""
    return f"{year:04d}-01/{month:02d}"


def to_date_through(period: str) -> tuple[int, int]:
    """The (year, last month) of a period to date (``to_date_period``)."""
    return int(period[:4]), int(period.rpartition("/")[2])


def period_kind(period: str) -> PeriodKind:
    """Which of the four kinds of period a period string is."""
    if len(period) == 4:
        return "year"
    if "/" in period:
        return "to_date"
    return "increment" if period[4] == "+" else "month"


def last_day(year: int, month: int) -> dt.date:
    """The last day of a month: where a year to date may stop (SPEC §4.3)."""
    return dt.date(year, month, calendar.monthrange(year, month)[1])


@cache  # a year holds few (day, structure) pairs, and this runs for every event applied
def counted_cells(occurred_on: dt.date, structure_id: str, region: str) -> tuple[Cell, ...]:
    """The (period, scope) cells an event counts in.

    The year and the month, each nationally, for the region and for the structure (the
    monthly breakdown of SPEC §5: national, within a region, or of one structure). The
    increment cells of the year to date are not an event's but a youth's: what the event
    changes there depends on the youth's earlier months (shared/pipeline/codes.py).
    """
    year = year_period(occurred_on.year)
    month = month_period(occurred_on)
    region_scope = scope_key("region", region)
    structure_scope = scope_key("structure", structure_id)
    return (
        (year, NATIONAL),
        (year, region_scope),
        (year, structure_scope),
        (month, NATIONAL),
        (month, region_scope),
        (month, structure_scope),
    )
