"""The frozen report in French: the "Chiffres clés" sections of the 2007 report, and its CSV.

Every key of the report's ``figures`` (SPEC §4, both tables) stands in one section
here, with its label from shared.labels; the page ``/rapports/{year}`` and
``GET /v1/reports/{year}.csv`` both use them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from shared.declarations.fields import FUNDER_KEYS
from shared.figures import ACCESS_KEYS, CIVIS_KEYS, YOUTH_KEYS
from shared.labels import LABELS
from shared.report_keys import REPORT_KEYS
from shared.spreadsheets import inert_row

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


def report_csv(document: Mapping[str, Any]) -> str:
    """The report as CSV: one row per figure (section, key, French label, value), then
    metadata; no cell a spreadsheet would run (shared/spreadsheets.py)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    completeness = document["completeness"]
    rows = [
        ["section", "key", "label", "value"],
        *(
            [title, key, LABELS[key].label, document["figures"][key]]
            for title, keys in SECTIONS
            for key in keys
        ),
        ["Complétude", "structures", "structures actives", completeness["structures"]],
        [
            "Complétude",
            "declarations_validated",
            "déclarations validées",
            completeness["declarations_validated"],
        ],
        ["Version", "year", "année", document["year"]],
        ["Version", "version", "version", document["version"]],
        ["Version", "consolidated_at", "consolidé le", document["consolidated_at"]],
    ]
    writer.writerows(inert_row(row) for row in rows)
    return out.getvalue()
