"""The frozen report's "Profil des jeunes en premier accueil" block (SPEC §4.2, §5): the
nation's first receptions by sex, age band and education level, as shares and counts, laid out
as the 2007 report and DARES's "L'activité des missions locales" give them — one small table
per dimension, under the key figures.

It reads the report's ``profiles`` as this reader may see them (api.py's ``for_reader``): for
a reader without a token while statistical confidentiality is on, protected cell by cell — a
withheld value the mark "s", and its share too. The total of a dimension is the report's
national figure (the rows partition the youths), always published. A share of a zero total is
"n.d.". A report frozen before the profiles has none: no block.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.web.formatting import NOT_AVAILABLE, WITHHELD, format_number, format_percent, marks_in
from shared.publication.profile_labels import (
    CATEGORY_LABELS,
    DIMENSION_LABELS,
    PROFILE_TITLE,
)

FIGURE = "youths_first_reception"


def profile_block(document: Mapping[str, Any]) -> dict[str, Any] | None:
    """The block: its title, per dimension its categories (label, share, count) and total, and
    the marks it uses; None without profiles."""
    profiles = document.get("profiles")
    if not profiles:
        return None
    dimensions = []
    texts: list[str] = []
    # The rows of a dimension partition the youths: their total is the national figure.
    total = int(document["figures"][FIGURE])
    for dimension, rows in profiles.items():
        counts = {key: values.get(FIGURE) for key, values in rows.items()}
        items = []
        for key, count in counts.items():
            if count is None:
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
                "total": format_number(total),
                # The whole is 100 % of itself, except when it is nothing: "n.d.".
                "total_share": format_percent(1.0, 1) if total else NOT_AVAILABLE,
            }
        )
    return {
        "title": PROFILE_TITLE,
        "dimensions": dimensions,
        "marks": marks_in(texts),
    }
