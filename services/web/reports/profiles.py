"""The frozen report's "Profil des jeunes en premier accueil" block (SPEC §4.2, §5): the
nation's first receptions by sex, age band and education level, as shares and counts, laid out
as the 2007 report and DARES's "L'activité des missions locales" give them — one small table
per dimension, under the key figures.

It reads the report's ``profiles`` as this reader may see them (api.py's ``for_reader``): for
a reader without a token while statistical confidentiality is on, every value withheld — the
mark "s" everywhere, no number, and the block says why (``PROFILES_WITHHELD``). A share of a
zero total is "n.d.". A report frozen before the profiles has none: no block.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.web.formatting import NOT_AVAILABLE, WITHHELD, format_number, format_percent, marks_in
from shared.publication.profile_labels import (
    CATEGORY_LABELS,
    DIMENSION_LABELS,
    PROFILE_TITLE,
    PROFILES_WITHHELD,
)

FIGURE = "youths_first_reception"


def profile_block(document: Mapping[str, Any]) -> dict[str, Any] | None:
    """The block: its title, per dimension its categories (label, share, count) and total,
    whether it is withheld (and why), and the marks it uses; None without profiles."""
    profiles = document.get("profiles")
    if not profiles:
        return None
    dimensions = []
    texts: list[str] = []
    withheld = False
    for dimension, rows in profiles.items():
        counts = {key: values.get(FIGURE) for key, values in rows.items()}
        hidden = any(count is None for count in counts.values())
        withheld = withheld or hidden
        total = None if hidden else sum(counts.values())
        items = []
        for key, count in counts.items():
            if count is None or total is None:
                share = text = WITHHELD
            else:
                text = format_number(count)
                share = format_percent(count / total, 1) if total else NOT_AVAILABLE
            texts += [share, text]
            items.append({"key": key, "label": CATEGORY_LABELS[dimension][key], "share": share,
                          "count": text})  # fmt: skip
        if total == 0:
            texts.append(NOT_AVAILABLE)
        dimensions.append(
            {
                "dimension": dimension,
                "title": DIMENSION_LABELS[dimension],
                "items": items,
                "total": WITHHELD if total is None else format_number(total),
                # The whole is 100 % of itself, except when it is nothing: "n.d.".
                "total_share": WITHHELD
                if total is None
                else (format_percent(1.0, 1) if total else NOT_AVAILABLE),
            }
        )
    return {
        "title": PROFILE_TITLE,
        "dimensions": dimensions,
        "withheld": withheld,
        "note": PROFILES_WITHHELD if withheld else None,
        "marks": marks_in(texts),
    }
