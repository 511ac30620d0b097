"""The frozen report's ``profiles`` (SPEC §5: the nation's profile rows, §4.2) in its CSV, and
as a reader without a token sees them while statistical confidentiality is on
(``protected_profiles``): each dimension's national row protected as the edition protects
its tables (shared/publication/confidentiality.py), on the report's own values with its
national figures as the row's total, and withheld at least where the live edition withholds
the same cells — so that, read beside the edition, the report gives back none of the
edition's withheld values."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from shared.figures import COUNTED
from shared.publication.components import profiles as profile_table
from shared.publication.confidentiality import withhold
from shared.publication.labels import LABELS
from shared.publication.profile_labels import (
    CATEGORY_LABELS,
    DIMENSION_LABELS,
    PROFILE_FIGURES,
    PROFILE_TITLE,
)
from shared.publication.published_profiles import column_of
from shared.publication.spreadsheets import spreadsheet_number
from shared.scopes import NATIONAL, Cell

WITHHELD = "s"
# The CSV's note on the mark, after the table, as the dashboard's export writes it.
WITHHELD_NOTE = (
    f"« {WITHHELD} » : secret statistique — valeur non publiée parce qu'elle porte sur trop peu "
    "de jeunes ou permettrait d'en retrouver une par différence. Les parts calculées à partir "
    "d'une telle valeur portent la même marque."
)


def protected_profiles(
    document: Mapping[str, Any], min_count: int, edition: Mapping[str, Mapping[str, Iterable[str]]]
) -> dict[str, Any]:
    """The document with the values of its profile rows that a reader without a token does not
    see null: those ``withhold`` gives on the report's own national row of each dimension (at
    ``min_count``), and those the live edition withholds (``edition``: dimension → category →
    withheld keys of the year's national cell). A report frozen before the profiles had none:
    unchanged."""
    profiles = document.get("profiles")
    if profiles is None:
        return dict(document)
    year = str(document["year"])
    values: dict[Cell, dict[str, int]] = {
        (year, NATIONAL): {key: int(document["figures"][key]) for key in COUNTED}
    }
    for dimension, rows in profiles.items():
        for category, figures in rows.items():
            cell = (column_of(year, dimension, category), NATIONAL)
            values[cell] = {key: int(figures[key]) for key in COUNTED}
    shown: dict[str, dict[str, dict[str, Any]]] = {}
    for dimension, rows in profiles.items():
        columns = [column_of(year, dimension, category) for category in rows]
        withheld = withhold(profile_table(year, columns, (), values), min_count)
        shown[dimension] = {}
        for category, figures in rows.items():
            hidden = set(withheld.keys((column_of(year, dimension, category), NATIONAL)))
            hidden |= set(edition.get(dimension, {}).get(category, ()))
            shown[dimension][category] = {
                key: None if key in hidden else value for key, value in figures.items()
            }
    return {**document, "profiles": shown}


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
