"""The frozen report in French: the "Chiffres clés" sections of the 2007 report, and its CSV.

Every key of the report's ``figures`` (SPEC §4, both tables) stands in one section
here, with its label from shared.labels; the page ``/rapports/{year}`` and
``GET /v1/reports/{year}.csv`` both use them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping
from typing import Any

from shared.declarations.fields import FUNDER_KEYS
from shared.figures import ACCESS_KEYS, CIVIS_KEYS, YOUTH_KEYS
from shared.labels import LABELS
from shared.report_keys import REPORT_KEYS
from shared.spreadsheets import SEPARATOR, inert, inert_row, spreadsheet_number
from shared.times import ZONE_NAME, paris_datetime

# (section title, keys), in the order of the 2007 report; the wording is shared.labels'.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Le réseau", ("structures", "missions_locales", "paio", "professionals")),
    ("Les jeunes", YOUTH_KEYS),
    ("L'accès à l'emploi et à la formation", ACCESS_KEYS),
    ("Le CIVIS", CIVIS_KEYS),
    (
        "Le financement",
        (
            "funding_total",
            "funding_main",
            "funding_specific",
            "funding_managed_funds",
            "cost_per_youth",
        ),
    ),
    ("Les financeurs", tuple(f"funder_share_{key}" for key in FUNDER_KEYS)),
)
assert sorted(key for _, keys in SECTIONS for key in keys) == sorted(REPORT_KEYS)


# The CSV's columns (French headers, as the dashboard's export).
CSV_HEADER = ("Année", "Version", "Rubrique", "Chiffre", "Valeur", "Code")


def report_csv(document: Mapping[str, Any]) -> str:
    """The report as CSV for French spreadsheets, as the dashboard's export writes it
    (shared/spreadsheets.py): ``;``, decimal comma, French headers (the byte-order mark is
    the answer's). One row per figure, by section — its French name with its unit
    (shared.labels' ``csv_header``), its value, its key — then the completeness of the
    declarations and when the version was frozen, in Paris time. Text cells never start a
    formula; values are numbers."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=SEPARATOR, lineterminator="\r\n")
    year, version = document["year"], document["version"]
    figures, completeness = document["figures"], document["completeness"]
    writer.writerow(CSV_HEADER)

    def row(section: str, name: str, value: str, code: str) -> None:
        # The value is written as is: a number (spreadsheet_number) or a date, never a formula.
        writer.writerow([year, version, *inert_row([section, name]), value, inert(code)])

    for title, keys in SECTIONS:
        for key in keys:
            label = LABELS[key]
            percent = label.format in ("percent", "share")
            row(title, label.csv_header, spreadsheet_number(figures[key], percent), key)
    section = "Complétude des déclarations"
    row(section, "Structures actives", str(completeness["structures"]), "structures_active")
    validated = str(completeness["declarations_validated"])
    row(section, "Déclarations annuelles validées", validated, "declarations_validated")
    frozen = paris_datetime(dt.datetime.fromisoformat(document["consolidated_at"]))
    row("Version", f"Figée le ({ZONE_NAME})", frozen, "consolidated_at")
    return out.getvalue()
