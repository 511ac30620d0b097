"""The change from the previous year printed beside each key figure of the dashboard.

Computed by ``shared.publication.series.change_from_previous`` from the scope's cell of the year and
its cell of the year before — for the current year, both years to date up to its last
complete month (comparison.py) — *as this reader sees them* (``public.Reading.shown``):

- "n.d." when the year before has no data (``shared.publication.series.has_data``), when a rate does
  not exist (its denominator is zero), and for the current year before its first month is
  complete;
- withheld (statistical confidentiality) when the figure is withheld this year, or the
  year before: a published value minus a published change would give the withheld one
  back; and every change when the year before's youths in contact are withheld, since
  whether that year had any data is then not the reader's to know.

Each change comes with its text in French (``+1 234 (+3,2 %) par rapport à 2006``, as the
report page prints it: ``formatting.format_change``; ``… de janvier à novembre 2026, par
rapport à janvier–novembre 2025`` for the current year; a withheld one the page's mark,
``s par rapport à 2006``), the same on the page, in ``/donnees.json`` and after a refresh.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import msgspec

from services.web.formatting import NOT_AVAILABLE, WITHHELD, format_change
from services.web.live.comparison import Comparison
from shared.figures import FIGURE_KEYS, RATES, rate_undefined
from shared.publication.labels import LABELS
from shared.publication.series import Change, change_from_previous, has_data

State = Literal["change", "not_available", "withheld"]
Values = Mapping[str, int | float | None]
Trend = Literal["up", "down", "flat"]


class YearChange(msgspec.Struct, frozen=True):
    """A figure's change from the year before: ``absolute`` and ``relative`` (None when not
    given), its ``state``, its ``trend`` (what its arrow shows; None: no change given), the
    value's text apart (the page wraps a mark in its ``<abbr>``), and the whole text."""

    absolute: int | float | None
    relative: float | None
    state: State
    trend: Trend | None
    value: str
    display: str


def _text(
    key: str, state: State, change: Change, compared: Comparison, undefined: bool
) -> tuple[str, str]:
    """The change's value as the page shows it, and the words after it."""
    if state == "withheld":
        return WITHHELD, compared.against
    if not compared.possible:
        return NOT_AVAILABLE, compared.not_possible
    if state == "not_available" and undefined:
        denominator = LABELS[RATES[key]].agreeing(0)
        return NOT_AVAILABLE, f"{compared.against} (taux non défini : 0 {denominator})"
    if state == "not_available":
        previous = compared.previous
        return NOT_AVAILABLE, f"par rapport à {previous} (pas de données pour {previous})"
    return format_change(change, LABELS[key].format), compared.against


def _trend(absolute: int | float | None) -> Trend | None:
    if absolute is None:
        return None
    return "up" if absolute > 0 else "down" if absolute < 0 else "flat"


def year_changes(current: Values, previous: Values, compared: Comparison) -> dict[str, YearChange]:
    """Every figure key's change from the year before, as ``compared`` says which periods."""
    unknown = previous["youths_in_contact"] is None
    changes = change_from_previous(current, None if unknown else previous)
    result = {}
    for key in FIGURE_KEYS:
        state: State
        if not compared.possible:
            state = "not_available"
        elif unknown or current[key] is None or previous[key] is None:
            state = "withheld"
        elif not has_data(previous) or changes[key].absolute is None:
            state = "not_available"  # no data the year before, or a rate that does not exist
        else:
            state = "change"
        change = changes[key] if state == "change" else Change(None, None)
        undefined = has_data(previous) and (
            rate_undefined(current, key) or rate_undefined(previous, key)
        )
        value, after = _text(key, state, change, compared, undefined)
        result[key] = YearChange(
            absolute=change.absolute,
            relative=change.relative,
            state=state,
            trend=_trend(change.absolute),
            value=value,
            display=f"{value} {after}",
        )
    return result
