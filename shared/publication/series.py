"""Figures across years: one scope's live figures year by year, and the change from one year
to the next.

``year_series`` reads the year cells (periods ``"YYYY"``) of ``figure_counts`` for a
range of years, one primary-key lookup each, and gives every year of the range a row —
zeros for a year without any event, so that a chart's axis has no holes.

``change_from_previous`` is what the pages and the report print beside a figure: the
absolute change and the relative one. A year "without data" (no youth in contact at
all, hence no event) gives "n.d." (None), never a change from zero: a year the
network did not record is not a year it did nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from shared.figures import FIGURE_KEYS, rate_undefined, with_derived
from shared.pipeline.live import read_cells
from shared.scopes import year_period

# The longest range a series reads: 50 year cells per request at most.
MAX_YEARS = 50

Values = Mapping[str, int | float | None]


class InvalidRange(ValueError):
    """A range of years a series refuses (reversed, or longer than MAX_YEARS)."""


def check_range(first: int, last: int) -> None:
    """Refuse a reversed range or one of more than MAX_YEARS years."""
    if first > last:
        raise InvalidRange(f"from ({first}) must not be after to ({last})")
    if last - first + 1 > MAX_YEARS:
        raise InvalidRange(f"at most {MAX_YEARS} years per series ({first}–{last} has more)")


def year_series(
    session: Session, first: int, last: int, scope: str
) -> list[tuple[int, dict[str, int | float]]]:
    """Each year from ``first`` to ``last`` with every figure key of SPEC §4 (first table)."""
    check_range(first, last)
    years = range(first, last + 1)
    cells = read_cells(session, [year_period(year) for year in years], [scope])
    zero = with_derived({})
    return [(year, cells.get((year_period(year), scope), zero)) for year in years]


def has_data(values: Values) -> bool:
    """Whether a year's figures hold anything: every event's youth is a youth in contact."""
    return bool(values.get("youths_in_contact"))


@dataclass(frozen=True)
class Change:
    """A figure's change from the previous year.

    ``absolute`` is current − previous (for a rate: the difference of two fractions,
    i.e. percentage points / 100); ``relative`` is that over the previous value. Either
    is None ("n.d.") when it cannot be told: the previous year has no data, a value is
    not published (statistical confidentiality), a rate does not exist in either year (its
    denominator is zero), or — for ``relative`` — the previous value is zero.
    """

    absolute: int | float | None
    relative: float | None


def change_from_previous(
    current: Values, previous: Values | None, keys: Iterable[str] = FIGURE_KEYS
) -> dict[str, Change]:
    """Each of ``keys``' change from ``previous`` (None: no previous year) to ``current``.

    ``keys`` are the live figures by default; the frozen report passes its own keys (the
    declarations' too), a key missing from either side being n.d.
    """
    known = previous is not None and has_data(previous)
    changes = {}
    for key in keys:
        now = current.get(key)
        before = previous.get(key) if known and previous is not None else None
        undefined = rate_undefined(current, key) or (
            previous is not None and rate_undefined(previous, key)
        )
        if now is None or before is None or undefined:
            changes[key] = Change(None, None)
            continue
        delta = now - before
        changes[key] = Change(delta, delta / before if before else None)
    return changes


def changes_over(
    rows: list[tuple[int, Values]],
) -> list[tuple[int, dict[str, Change]]]:
    """For consecutive rows of a series, each year's change from the one before it (the first
    year's previous is not in the series: n.d.)."""
    result = []
    previous: Values | None = None
    for year, values in rows:
        result.append((year, change_from_previous(values, previous)))
        previous = values
    return result
