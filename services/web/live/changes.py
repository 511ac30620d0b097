"""The change from the previous year printed beside each key figure of the dashboard.

Computed by ``shared.series.change_from_previous`` from the scope's cell of the year and
its cell of the year before — both *as this reader sees them* (``public.View.shown``):

- "n.d." when the year before has no data (``shared.series.has_data``);
- withheld (statistical confidentiality) when the figure is withheld this year, or the
  year before: a published value minus a published change would give the withheld one
  back; and every change when the year before's youths in contact are withheld, since
  whether that year had any data is then not the reader's to know.

Each change comes with its text in French (``+1 234 (+3,2 %) par rapport à 2006``, as the
report page prints it: ``formatting.format_change``; a withheld one the page's mark,
``s par rapport à 2006``), the same on the page, in ``/donnees.json`` and after a refresh.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from services.web.formatting import NOT_AVAILABLE, WITHHELD, format_change
from shared.figures import FIGURE_KEYS
from shared.labels import LABELS
from shared.series import Change, change_from_previous, has_data

State = Literal["change", "not_available", "withheld"]
Values = Mapping[str, int | float | None]


def _text(key: str, state: State, change: Change, previous_year: int) -> tuple[str, str]:
    """The change's value as the page shows it, and the words after it."""
    after = f"par rapport à {previous_year}"
    if state == "withheld":
        return WITHHELD, after
    if state == "not_available" or change.absolute is None:
        return NOT_AVAILABLE, f"{after} (pas de données pour {previous_year})"
    return format_change(change, LABELS[key].format), after


def _trend(absolute: int | float | None) -> str | None:
    if absolute is None:
        return None
    return "up" if absolute > 0 else "down" if absolute < 0 else "flat"


def year_changes(
    current: Values, previous: Values, previous_year: int
) -> dict[str, dict[str, Any]]:
    """Every figure key's change from ``previous_year``: ``absolute`` and ``relative`` (None
    when not given), its ``state``, its ``trend`` (``up``, ``down``, ``flat``), its value's
    text and the whole text."""
    unknown = previous["youths_in_contact"] is None
    changes = change_from_previous(current, None if unknown else previous)
    result = {}
    for key in FIGURE_KEYS:
        state: State
        if unknown or current[key] is None or previous[key] is None:
            state = "withheld"
        elif not has_data(previous):
            state = "not_available"
        else:
            state = "change"
        change = changes[key] if state == "change" else Change(None, None)
        value, after = _text(key, state, change, previous_year)
        result[key] = {
            "absolute": change.absolute,
            "relative": change.relative,
            "state": state,
            "trend": _trend(change.absolute),
            # The value's text apart (the page wraps a mark in its <abbr>), and the whole.
            "value": value,
            "display": f"{value} {after}",
        }
    return result
