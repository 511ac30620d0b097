"""The frozen report in French: the "Chiffres clés" sections of the 2007 report, and its CSV.

Every key of the report's ``figures`` (SPEC §4, both tables) stands in one section
here, with its label from shared.publication.labels; the page ``/rapports/{year}`` and
``GET /v1/reports/{year}.csv`` both use them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping
from typing import Any

from shared.declarations.fields import FUNDER_KEYS
from shared.declarations.figures import is_complete
from shared.figures import ACCESS_KEYS, CIVIS_KEYS, YOUTH_KEYS
from shared.publication.labels import LABELS
from shared.publication.spreadsheets import SEPARATOR, inert, inert_row, spreadsheet_number
from shared.report.keys import DECLARATION_KEYS, REPORT_KEYS
from shared.report.profiles import WITHHELD_NOTE, profile_csv_rows, profiles_withheld
from shared.times import ZONE_NAME, paris_datetime

# (section title, keys), in the order of the 2007 report; the wording is shared.publication.labels'.
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
CSV_HEADER = ("Année", "Version", "Rubrique", "Chiffre", "Valeur", "Champ", "Code")
NOT_AVAILABLE = "n.d."
FUNDER_SHARES = tuple(f"funder_share_{key}" for key in FUNDER_KEYS)
NETWORK = "ensemble du réseau"


def unavailable(figures: Mapping[str, Any], key: str, validated: int) -> bool:
    """Whether a report's figure does not exist ("n.d."): ``null`` (``cost_per_youth``), a
    staff or funding figure of a report without any validated declaration (``validated``),
    the funders' shares when no funder gave anything (0 / 0)."""
    if figures.get(key) is None:
        return True
    if key in DECLARATION_KEYS and not validated:
        return True
    return key in FUNDER_SHARES and not any(figures[k] for k in FUNDER_SHARES)


def report_csv(document: Mapping[str, Any], field: str) -> str:
    """The report as CSV for French spreadsheets, as the dashboard's export writes it
    (shared/publication/spreadsheets.py): ``;``, decimal comma, French headers (the byte-order mark
    is
    the answer's). One row per figure, by section — its French name with its unit
    (shared.publication.labels' ``csv_header``), its value ("n.d." when it does not exist), what it
    covers (``field`` for the staff and funding figures: "412 déclarations validées, 85 % des
    structures actives"), its key — then the profile rows (shared/report/profiles.py), the
    completeness of the declarations, whether the
    report is provisional, and when the version was frozen, in Paris time; a last line says
    what the mark "s" means when profile values are withheld. Text cells never start a
    formula; values are numbers."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=SEPARATOR, lineterminator="\r\n")
    year, version = document["year"], document["version"]
    figures, completeness = document["figures"], document["completeness"]
    structures, validated = completeness["structures"], completeness["declarations_validated"]
    writer.writerow(CSV_HEADER)

    def row(section: str, name: str, value: str, covers: str, code: str) -> None:
        # The value is written as is: a number (spreadsheet_number) or a date, never a formula.
        writer.writerow(
            [year, version, *inert_row([section, name]), value, inert(covers), inert(code)]
        )

    for title, keys in SECTIONS:
        for key in keys:
            label = LABELS[key]
            percent = label.format in ("percent", "share")
            value = (
                NOT_AVAILABLE
                if unavailable(figures, key, validated)
                else spreadsheet_number(figures[key], percent)
            )
            row(title, label.csv_header, value, field if key in DECLARATION_KEYS else NETWORK, key)
    for section, name, value, code in profile_csv_rows(document):
        row(section, name, value, NETWORK, code)
    section = "Complétude des déclarations"
    row(section, "Structures actives", str(structures), NETWORK, "structures_active")
    row(section, "Déclarations annuelles validées", str(validated), field, "declarations_validated")
    share = spreadsheet_number(validated / structures if structures else 0.0, True)
    name = "Part des structures actives ayant une déclaration validée (%)"
    row(section, name, share, field, "declarations_validated_share")
    status = "complet" if is_complete(structures, validated) else "provisoire"
    row(section, "Statut du rapport", status, field, "report_status")
    frozen = paris_datetime(dt.datetime.fromisoformat(document["consolidated_at"]))
    row("Version", f"Figée le ({ZONE_NAME})", frozen, NETWORK, "consolidated_at")
    if profiles_withheld(document):
        # After the table, as the dashboard's export and statistical tables print notes.
        writer.writerow([inert(WITHHELD_NOTE)])
    return out.getvalue()
