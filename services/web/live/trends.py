"""The dashboard's trends: the headline figures of the current scope year by year, over the
years present in the log, for a line chart (``static/trends.js``) and its table. They are
part of the dashboard's view (view.py), so they refresh with the key figures.

The current year has not ended: its point is "à date" (provisional, 1 January to today),
labelled so in the table and the chart, its segment dashed and a note under both — never
read as a drop against whole years. A rate whose denominator is zero is "n.d.", a gap.

The years are the scope's year cells as ``GET /v1/figures/series`` reads them
(``public.view_for``: the live counters, or the public edition), from the first year with
data to the last; a year between them without data is "n.d." and a gap in the chart, not a
zero. A withheld value is a gap in the chart and the mark "s" in the table. ``exact=True``
is the signed-in exact view's: every value shown.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

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


def trends_context(
    session: Session,
    level: Level,
    scope_id: str | None,
    year: int,
    exact: bool = False,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """The scope's years with data: per year its values (None when not published, without
    data or undefined), their texts, the keys withheld, whether it is the page's ``year`` and
    whether it has not ended as of ``today`` (Paris); the chart's data; the marks the table
    uses (for its legend); the note on the year in progress, if shown."""
    today = today or paris_today()
    scope = scope_key(level, scope_id)
    first, last = year_range()
    view = public.view_for(
        session, [(year_period(y), scope) for y in range(first, last + 1)], exact=exact
    )
    series = [(y, view.values_of((year_period(y), scope))) for y in range(first, last + 1)]
    # Whether a year holds data is read from the exact cells: a zero is published anyway.
    present = [y for y, values in series if has_data(values)]
    years = [(y, values) for y, values in series if present and present[0] <= y <= present[-1]]
    rows: list[dict[str, Any]] = []
    texts: list[str] = []
    for y, values in years:
        cell = (year_period(y), scope)
        shown = view.shown(cell)
        hidden = [key for key in view.suppressed(cell) or () if key in TREND_KEYS]
        recorded = has_data(values)
        in_progress = y >= today.year
        display = {key: _text(key, shown, key in hidden, recorded) for key in TREND_KEYS}
        texts += display.values()
        rows.append(
            {
                "year": y,
                "label": f"{y} (à date)" if in_progress else str(y),
                "current": y == year,
                "in_progress": in_progress,
                "values": {
                    key: shown[key] if recorded and not rate_undefined(shown, key) else None
                    for key in TREND_KEYS
                },
                "display": display,
                "withheld": hidden,
            }
        )
    shown_in_progress = [row["year"] for row in rows if row["in_progress"]]
    note = None
    if shown_in_progress:
        note = (
            f"{shown_in_progress[0]} (à date) : année en cours, chiffres provisoires du "
            f"1er janvier au {format_day(today)} ; ils ne se comparent pas aux années entières."
        )
    return {
        "rows": rows,
        "columns": [(key, LABELS[key].short) for key in TREND_KEYS],
        # The marks the table uses, for its legend.
        "marks": marks_in(texts),
        "in_progress_note": note,
        "chart": {
            "years": [row["year"] for row in rows],
            "labels": [row["label"] for row in rows],
            "in_progress": [row["in_progress"] for row in rows],
            "counts": [_line(key, rows) for key in COUNTS],
            "rate": _line(RATE, rows),
        },
    }


def _text(key: str, shown: dict[str, int | float | None], hidden: bool, recorded: bool) -> str:
    if hidden:
        return WITHHELD
    return format_figure(shown, key) if recorded else NOT_AVAILABLE


def _line(key: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    # Rates in percent on the chart; None, a gap. The texts are the table's, for tooltips.
    factor = 100 if LABELS[key].format == "percent" else 1
    return {
        "key": key,
        "label": LABELS[key].csv_header,
        "values": [
            None if row["values"][key] is None else round(row["values"][key] * factor, 2)
            for row in rows
        ],
        "texts": [row["display"][key] for row in rows],
    }
