"""CSV cells that a spreadsheet opens as text, never as a formula.

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


def inert(value: object) -> object:
    """The cell as written to a CSV: text that would start a formula, quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def inert_row(values: Iterable[object]) -> list[object]:
    """Every cell of a row through ``inert``."""
    return [inert(value) for value in values]
