"""The dashboard's trends: the headline figures of the current scope year by year, over the
years present in the log, for a line chart (``static/trends.js``) and its table. They are
part of the dashboard's document (dashboard.py), so they refresh with the key figures.

The current year has not ended: its point is "à date" (provisional, 1 January to today),
labelled so in the table and the chart, its segment dashed and a note under both — never
read as a drop against whole years. A rate whose denominator is zero is "n.d.", a gap.

The years are the scope's year cells as ``GET /v1/figures/series`` reads them
(``public.reading_for``: the live counters, or the public edition), from the first year with
data to the last; a year between them without data is "n.d." and a gap in the chart, not a
zero. A withheld value is a gap in the chart and the mark "s" in the table. ``exact=True``
is the signed-in exact dashboard's: every value shown.
"""

from __future__ import annotations

import datetime as dt

import msgspec
from sqlalchemy.orm import Session

from services.web.formatting import NOT_AVAILABLE, WITHHELD, format_day, format_figure, marks_in
from services.web.live import public
from services.web.parameters import year_range
from shared.figures import rate_undefined
from shared.publication.labels import LABELS
from shared.publication.series import has_data
from shared.scopes import Level, scope_key, year_period
from shared.times import paris_today

# The counts on the main chart, and the rate on a chart of its own (another unit).
COUNTS: tuple[str, ...] = (
    "youths_in_contact",
    "youths_interviewed",
    "youths_with_access",
    "civis_entries",
)
RATE = "access_rate"
TREND_KEYS: tuple[str, ...] = (*COUNTS, RATE)


class TrendRow(msgspec.Struct, frozen=True):
    """A year of the scope: its values (None when not published, without data or undefined),
    their texts, the keys withheld, whether it is the page's year and whether it has not
    ended (its label says "à date")."""

    year: int
    label: str
    current: bool
    in_progress: bool
    values: dict[str, int | float | None]
    display: dict[str, str]
    withheld: list[str]


class TrendLine(msgspec.Struct, frozen=True):
    """A figure's line on a chart: its values (a rate in percent; None, a gap) and the
    table's texts, for the tooltips."""

    key: str
    label: str
    values: list[int | float | None]
    texts: list[str]


class TrendChart(msgspec.Struct, frozen=True):
    """What static/trends.js draws: the counts' chart and the rate's."""

    years: list[int]
    labels: list[str]
    in_progress: list[bool]
    counts: list[TrendLine]
    rate: TrendLine


class Trends(msgspec.Struct, frozen=True):
    """The scope's years with data, the table's columns (key, short label), the marks the
    table uses (for its legend), the note on the year in progress if shown, and the chart."""

    rows: list[TrendRow]
    columns: list[tuple[str, str]]
    marks: list[str]
    in_progress_note: str | None
    chart: TrendChart


def trends_context(
    session: Session,
    level: Level,
    scope_id: str | None,
    year: int,
    exact: bool = False,
    today: dt.date | None = None,
) -> Trends:
    """The scope's years with data, ``year`` the page's, as of ``today`` (Paris)."""
    today = today or paris_today()
    scope = scope_key(level, scope_id)
    first, last = year_range()
    reading = public.reading_for(
        session, [(year_period(y), scope) for y in range(first, last + 1)], exact=exact
    )
    series = [(y, reading.values_of((year_period(y), scope))) for y in range(first, last + 1)]
    # Whether a year holds data is read from the exact cells: a zero is published anyway.
    present = [y for y, values in series if has_data(values)]
    years = [(y, values) for y, values in series if present and present[0] <= y <= present[-1]]
    rows: list[TrendRow] = []
    texts: list[str] = []
    for y, values in years:
        cell = (year_period(y), scope)
        shown = reading.shown(cell)
        hidden = [key for key in reading.suppressed(cell) or () if key in TREND_KEYS]
        recorded = has_data(values)
        in_progress = y >= today.year
        display = {key: _text(key, shown, key in hidden, recorded) for key in TREND_KEYS}
        texts += display.values()
        rows.append(
            TrendRow(
                year=y,
                label=f"{y} (à date)" if in_progress else str(y),
                current=y == year,
                in_progress=in_progress,
                values={
                    key: shown[key] if recorded and not rate_undefined(shown, key) else None
                    for key in TREND_KEYS
                },
                display=display,
                withheld=hidden,
            )
        )
    shown_in_progress = [row.year for row in rows if row.in_progress]
    note = None
    if shown_in_progress:
        note = (
            f"{shown_in_progress[0]} (à date) : année en cours, chiffres provisoires du "
            f"1er janvier au {format_day(today)} ; ils ne se comparent pas aux années entières."
        )
    return Trends(
        rows=rows,
        columns=[(key, LABELS[key].short) for key in TREND_KEYS],
        marks=marks_in(texts),
        in_progress_note=note,
        chart=TrendChart(
            years=[row.year for row in rows],
            labels=[row.label for row in rows],
            in_progress=[row.in_progress for row in rows],
            counts=[_line(key, rows) for key in COUNTS],
            rate=_line(RATE, rows),
        ),
    )


def _text(key: str, shown: dict[str, int | float | None], hidden: bool, recorded: bool) -> str:
    if hidden:
        return WITHHELD
    return format_figure(shown, key) if recorded else NOT_AVAILABLE


def _line(key: str, rows: list[TrendRow]) -> TrendLine:
    # Rates in percent on the chart; None, a gap. The texts are the table's, for tooltips.
    factor = 100 if LABELS[key].format == "percent" else 1
    values = [row.values[key] for row in rows]
    return TrendLine(
        key=key,
        label=LABELS[key].csv_header,
        values=[None if value is None else round(value * factor, 2) for value in values],
        texts=[row.display[key] for row in rows],
    )
