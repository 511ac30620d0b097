"""CSV for French spreadsheets: cells opened as text, never as formulas; French numbers.

The exports people open (the dashboard's tables, the frozen report) are written the way
French Excel and LibreOffice read them with a double click: ``;`` between cells, a
decimal comma, UTF-8 with a byte-order mark (``BOM``), French headers.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a
formula by Excel and LibreOffice: a structure named ``=HYPERLINK("http://…")`` would
become a live link in every exported table. Such text gets a leading apostrophe, which
the spreadsheet shows as plain text (OWASP's "CSV injection" advice).

Only text is touched: a genuine number (an ``int`` or ``float`` of the figures, which
the exports format themselves) stays a number, even a negative one, since a number
alone is not a formula.
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SEPARATOR = ";"
# The byte-order mark makes Excel read UTF-8 (accents) instead of its ANSI code page.
BOM = "\ufeff"


def inert(value: object) -> object:
    """The cell as written to a CSV: text that would start a formula, quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def inert_row(values: Iterable[object]) -> list[object]:
    """Every cell of a row through ``inert``."""
    return [inert(value) for value in values]


def spreadsheet_number(value: int | float, percent: bool = False) -> str:
    """A figure as a French spreadsheet reads it: an integer as it is (``-3`` too), a rate
    or share as a percentage with one decimal and a decimal comma (``39,6``; the column's
    header says "(%)"). Written as is, not through ``inert``: a number is no formula."""
    if percent:
        return f"{value * 100:.1f}".replace(".", ",")
    return str(value)
