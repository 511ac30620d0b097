"""The frozen report in French: the "Chiffres clés" sections of the 2007 report, and its CSV.

Every key of the report's ``figures`` (SPEC §4, both tables) has one label here;
the page ``/rapports/{year}`` and ``GET /v1/reports/{year}.csv`` both use them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any, Literal

from shared.consolidation import REPORT_KEYS

Format = Literal["number", "percent", "euros", "share"]

# (section title, ((key, label, format), ...)), in the order of the 2007 report.
SECTIONS: tuple[tuple[str, tuple[tuple[str, str, Format], ...]], ...] = (
    (
        "Le réseau",
        (
            ("structures", "structures actives", "number"),
            ("missions_locales", "missions locales", "number"),
            ("paio", "PAIO", "number"),
            ("professionals", "professionnels", "number"),
        ),
    ),
    (
        "Les jeunes",
        (
            ("youths_first_reception", "jeunes en premier accueil", "number"),
            ("youths_in_contact", "jeunes en contact", "number"),
            ("youths_received", "jeunes reçus en entretien ou en atelier", "number"),
            ("youths_interviewed", "jeunes reçus en entretien individuel", "number"),
            ("interviews", "entretiens individuels", "number"),
        ),
    ),
    (
        "L'accès à l'emploi et à la formation",
        (
            ("youths_with_access", "jeunes ont accédé à l'emploi ou à la formation", "number"),
            ("access_rate", "des jeunes reçus en entretien", "percent"),
            ("youths_employment", "ont obtenu un emploi classique", "number"),
            (
                "youths_subsidized_or_work_study",
                "ont obtenu un emploi aidé ou un emploi en alternance",
                "number",
            ),
            ("youths_training", "sont entrés en formation", "number"),
        ),
    ),
    (
        "Le CIVIS",
        (
            ("civis_entries", "jeunes entrés en CIVIS", "number"),
            ("civis_exits", "jeunes sortis du CIVIS", "number"),
            ("civis_exits_durable_employment", "dont emploi durable", "number"),
            ("civis_exits_non_durable_employment", "dont emploi de moins de six mois", "number"),
            ("civis_exits_training", "dont formation", "number"),
            ("civis_exits_other", "dont autres motifs", "number"),
        ),
    ),
    (
        "Le financement",
        (
            ("funding_total", "financement total", "euros"),
            ("funding_main", "financement principal", "euros"),
            ("funding_specific", "financements spécifiques", "euros"),
            ("funding_managed_funds", "fonds gérés", "euros"),
            ("cost_per_youth", "coût par jeune accompagné", "euros"),
        ),
    ),
    (
        "Les financeurs",
        (
            ("funder_share_state", "État", "share"),
            ("funder_share_region", "Régions", "share"),
            ("funder_share_department", "Départements", "share"),
            ("funder_share_municipalities", "Communes et intercommunalités", "share"),
            ("funder_share_esf", "Fonds social européen", "share"),
            ("funder_share_other", "Autres financeurs", "share"),
        ),
    ),
)
LABELS: dict[str, str] = {key: label for _, rows in SECTIONS for key, label, _ in rows}
FORMATS: dict[str, Format] = {key: fmt for _, rows in SECTIONS for key, _, fmt in rows}
assert sorted(LABELS) == sorted(REPORT_KEYS)


def report_csv(document: Mapping[str, Any]) -> str:
    """The report as CSV: one row per figure (section, key, French label, value), then metadata."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["section", "key", "label", "value"])
    figures = document["figures"]
    for title, rows in SECTIONS:
        for key, label, _ in rows:
            writer.writerow([title, key, label, figures[key]])
    completeness = document["completeness"]
    writer.writerow(["Complétude", "structures", "structures actives", completeness["structures"]])
    writer.writerow(
        [
            "Complétude",
            "declarations_validated",
            "déclarations validées",
            completeness["declarations_validated"],
        ]
    )
    writer.writerow(["Version", "year", "année", document["year"]])
    writer.writerow(["Version", "version", "version", document["version"]])
    writer.writerow(["Version", "consolidated_at", "consolidé le", document["consolidated_at"]])
    return out.getvalue()
