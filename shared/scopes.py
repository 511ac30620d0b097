"""Periods (a year, or a month of it) and scopes (national, region, structure).

Counters are keyed by strings: ``"2007"`` / ``"2007-03"`` for periods and
``"national"`` / ``"region:11"`` / ``"structure:ML-11-001"`` for scopes.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Literal

Level = Literal["national", "region", "structure"]
NATIONAL = "national"


def scope_key(level: Level, scope_id: str | None = None) -> str:
    return NATIONAL if level == "national" else f"{level}:{scope_id}"


def year_period(year: int) -> str:
    return f"{year:04d}"


def month_period(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


@cache  # a year holds few (day, structure) pairs, and this runs for every event applied
def counted_cells(
    occurred_on: dt.date, structure_id: str, region: str
) -> tuple[tuple[str, str], ...]:
    """The (period, scope) cells an event counts in.

    The year at every level; the month nationally and for the region (the monthly
    breakdown of SPEC §5 is national or within one region).
    """
    year = year_period(occurred_on.year)
    month = month_period(occurred_on)
    region_scope = scope_key("region", region)
    return (
        (year, NATIONAL),
        (year, region_scope),
        (year, scope_key("structure", structure_id)),
        (month, NATIONAL),
        (month, region_scope),
    )
