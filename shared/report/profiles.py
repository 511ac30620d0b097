"""The frozen report's ``profiles`` (SPEC §5: the nation's profile rows, §4.2) in its CSV, and
as a reader without a token sees them while statistical confidentiality is on: withheld whole
(every value null), as the live breakdowns by profile are (services/web/live/profile_rows.py)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from shared.publication.labels import LABELS
from shared.publication.profile_labels import (
    CATEGORY_LABELS,
    DIMENSION_LABELS,
    PROFILE_FIGURES,
    PROFILE_TITLE,
    PROFILES_WITHHELD,
)
from shared.publication.spreadsheets import spreadsheet_number

WITHHELD = "s"
# The CSV's note on the mark, after the table, as the dashboard's export writes it.
WITHHELD_NOTE = f"« {WITHHELD} » : secret statistique. {PROFILES_WITHHELD}"


def withheld_profiles(document: Mapping[str, Any]) -> dict[str, Any]:
    """The document with every value of its profile rows null (a report frozen before the
    profiles had none: unchanged)."""
    profiles = document.get("profiles")
    if profiles is None:
        return dict(document)
    hidden = {
        dimension: {key: dict.fromkeys(values, None) for key, values in rows.items()}
        for dimension, rows in profiles.items()
    }
    return {**document, "profiles": hidden}


def profile_csv_rows(document: Mapping[str, Any]) -> Iterator[tuple[str, str, str, str]]:
    """(section, figure's name, value, code) of each profile row of the report's CSV: the
    first receptions and the youths interviewed of each category ("s" where withheld)."""
    profiles = document.get("profiles") or {}
    for dimension, rows in profiles.items():
        for key, values in rows.items():
            category = CATEGORY_LABELS[dimension][key]
            for figure in PROFILE_FIGURES:
                value = values.get(figure)
                shown = WITHHELD if value is None else spreadsheet_number(value)
                name = f"{LABELS[figure].csv_header} — {DIMENSION_LABELS[dimension]} : {category}"
                yield PROFILE_TITLE, name, shown, f"{figure}.{dimension}.{key}"


def profiles_withheld(document: Mapping[str, Any]) -> bool:
    """Whether some profile value of the document is withheld (its CSV then says what the
    mark means)."""
    profiles = document.get("profiles") or {}
    return any(
        value is None
        for rows in profiles.values()
        for values in rows.values()
        for value in values.values()
    )
