"""The dashboard's two tables: the breakdown of its scope (by region, or by structure within a
region) and the twelve months of the scope, each a list of typed rows (``Row``) under its
total and the marks its cells use.

A row keeps every raw figure (for the CSV export and the charts) and shows the ``COLUMNS``
figures formatted the French way (``display``): the figures that fit side by side on a screen.
A value withheld from the public is None, shown as the reader's mark and listed in the row's
``suppressed`` — present exactly when statistical confidentiality applies to the reader, so
encoded only then (``msgspec.UNSET``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import msgspec

from services.web.formatting import alphabetical, format_figure, marks_in
from shared.publication.labels import LABELS

# The breakdown and month tables' columns: the figures that fit side by side on a screen.
# The CSV export has every figure.
COLUMNS: tuple[tuple[str, str], ...] = tuple(
    (key, LABELS[key].short)
    for key in (
        "youths_in_contact",
        "youths_first_reception",
        "youths_interviewed",
        "interviews",
        "youths_with_access",
        "access_rate",
        "civis_entries",
        "civis_exits",
    )
)
_COLUMN_KEYS = tuple(key for key, _ in COLUMNS)

Shown = dict[str, int | float | None]  # a cell's figures as the reader sees them (None: withheld)
Suppressed = list[str] | msgspec.UnsetType  # the keys withheld; UNSET: the figures are exact


def display(values: Shown, mark: str = "—", keys: tuple[str, ...] | None = None) -> dict[str, str]:
    """Every figure (or those ``keys``) formatted the French way; ``mark`` for a withheld one,
    "n.d." for a rate whose denominator is zero."""
    return {
        key: mark if values[key] is None else format_figure(values, key)
        for key in (values if keys is None else keys)
    }


class Row(msgspec.Struct, frozen=True, kw_only=True):
    """A line of a table: its ``key`` (a region's or structure's code, a month's period; empty
    for a total), its label, its figures raw and, for the ``COLUMNS``, as text."""

    key: str
    label: str
    figures: Shown
    display: dict[str, str]
    suppressed: Suppressed = msgspec.UNSET

    def withholds(self, key: str) -> bool:
        """Whether this row's ``key`` is withheld from the reader (shown as the mark)."""
        return isinstance(self.suppressed, list) and key in self.suppressed


class BreakdownRow(Row, frozen=True, kw_only=True):
    """A region or structure of the breakdown: its link narrows the dashboard to it."""

    href: str
    current: bool  # the dashboard's own scope (a structure within its region)


class Breakdown(msgspec.Struct, frozen=True):
    """The breakdown of the scope's region (a structure's too) or of the nation."""

    by: Literal["region", "structure"]
    within: str | None  # the region's name; None: the nation, by region
    sort: str
    order: Literal["asc", "desc"]
    rows: list[BreakdownRow]
    total: Row  # the region's (or the nation's) own cell: distinct youths, not a sum
    marks: list[str]


class Months(msgspec.Struct, frozen=True):
    """The twelve months of the scope (a structure's own months are counted too)."""

    within: str  # the scope's name
    rows: list[Row]
    marks: list[str]


def row(key: str, label: str, values: Shown, suppressed: list[str] | None, mark: str) -> Row:
    """A month's row, or a table's total (``key`` empty): the ``COLUMNS``' texts, and what is
    withheld (``suppressed`` None: exact, left out)."""
    texts = display(values, mark, _COLUMN_KEYS)
    hidden = msgspec.UNSET if suppressed is None else suppressed
    return Row(key=key, label=label, figures=values, display=texts, suppressed=hidden)


def breakdown_row(
    key: str,
    label: str,
    values: Shown,
    suppressed: list[str] | None,
    mark: str,
    href: str,
    current: bool,
) -> BreakdownRow:
    """A region's or structure's row of the breakdown: a ``row``, linking to it."""
    cells = msgspec.structs.asdict(row(key, label, values, suppressed, mark))
    return BreakdownRow(**cells, href=href, current=current)


def sorted_rows(rows: list[BreakdownRow], sort: str, order: str) -> list[BreakdownRow]:
    """The rows by name, or by a figure (``sort``), ascending or descending."""

    def by_figure(row: BreakdownRow) -> tuple[int, int | float]:
        value = row.figures[sort]
        # Withheld values all sort as the smallest, in name order: their order by exact
        # value would tell them apart.
        return (0, 0) if value is None else (1, value)

    # Ties (often zeros) keep the name order, so a sorted table never shuffles.
    by_name = sorted(rows, key=lambda row: alphabetical(row.label))
    if sort == "label":
        return sorted(by_name, key=lambda row: alphabetical(row.label), reverse=order == "desc")
    return sorted(by_name, key=by_figure, reverse=order == "desc")


def table_marks(rows: Sequence[Row]) -> list[str]:
    """The marks a table's cells use (its legend says what they mean)."""
    return marks_in(text for row in rows for text in row.display.values())
