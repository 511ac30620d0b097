"""The French wording of every figure key (SPEC §4, both tables), in one place.

Each key has one short name (a table column's heading, a bar of a chart), one
label (the wording of the 2007 report, shown on the dashboard, the frozen report's
page and CSV, and its charts), one definition (the sentence under a figure on the
dashboard), one header (the dashboard's CSV export and its charts' legends) and how
its value reads (a number, a percentage, euros or a share). A label printed after its
value agrees with it ("1 jeune en contact", "0 jeune sorti du CIVIS", "2 jeunes…"):
``Label.agreeing``, through ``plural_form``, the one rule of French agreement with a
number that every page uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from shared.figures import FIGURE_KEYS
from shared.report.keys import REPORT_KEYS

Format = Literal["number", "percent", "euros", "share"]


def plural_form(value: float, singular: str, plural: str) -> str:
    """The form of a word that agrees with ``value``: French puts 0, 1 and anything below 2
    in the singular ("0 jeune", "1,5 point"), the plural from 2 on."""
    return singular if abs(value) < 2 else plural


@dataclass(frozen=True)
class Label:
    """How the pages, the report and the CSV files name and explain one figure key."""

    key: str
    short: str  # a table column's heading, a chart's bar
    label: str
    definition: str
    csv_header: str
    format: Format = "number"
    singular: str | None = None  # the label after 0 or 1; None: it does not change

    def agreeing(self, value: float | None) -> str:
        """The label as printed after ``value`` (the plural when the value is not shown)."""
        if self.singular is None or value is None:
            return self.label
        return plural_form(value, self.singular, self.label)


def _labels(*labels: Label) -> dict[str, Label]:
    return {label.key: label for label in labels}


LABELS: dict[str, Label] = _labels(
    Label(
        "youths_first_reception",
        "Premier accueil",
        "jeunes en premier accueil",
        "Jeunes reçus pour la première fois par le réseau dans l'année.",
        "Jeunes en premier accueil",
        singular="jeune en premier accueil",
    ),
    Label(
        "youths_in_contact",
        "En contact",
        "jeunes en contact",
        "Jeunes ayant eu au moins un contact dans l'année : visite, téléphone, courrier, "
        "message, entretien, atelier…",
        "Jeunes en contact",
        singular="jeune en contact",
    ),
    Label(
        "youths_received",
        "Reçus en entretien ou atelier",
        "jeunes reçus en entretien ou en atelier",
        "Jeunes reçus au moins une fois en entretien individuel ou en information collective.",
        "Jeunes reçus en entretien ou en atelier",
        singular="jeune reçu en entretien ou en atelier",
    ),
    Label(
        "youths_interviewed",
        "Reçus en entretien",
        "jeunes reçus en entretien individuel",
        "Les « jeunes accompagnés » : reçus au moins une fois en entretien individuel "
        "par un conseiller dans l'année.",
        "Jeunes reçus en entretien individuel",
        singular="jeune reçu en entretien individuel",
    ),
    Label(
        "interviews",
        "Entretiens",
        "entretiens individuels",
        "Nombre d'entretiens individuels assurés par les conseillers (un jeune peut en "
        "avoir plusieurs).",
        "Entretiens individuels",
        singular="entretien individuel",
    ),
    Label(
        "youths_with_access",
        "Accès emploi ou formation",
        "jeunes ont accédé à l'emploi ou à la formation",
        "Jeunes reçus en entretien individuel qui ont obtenu dans l'année un emploi, un "
        "emploi aidé, une alternance ou une formation.",
        "Jeunes ayant accédé à l'emploi ou à la formation",
        singular="jeune a accédé à l'emploi ou à la formation",
    ),
    Label(
        "access_rate",
        "Taux d'accès",
        "des jeunes reçus en entretien",
        "Part des jeunes reçus en entretien individuel qui ont accédé à l'emploi ou à la "
        "formation.",
        "Taux d'accès à l'emploi ou à la formation (%)",
        "percent",
    ),
    Label(
        "youths_employment",
        "Emploi classique",
        "ont obtenu un emploi classique",
        "CDI, CDD, intérim ou emploi saisonnier, pour des jeunes reçus en entretien.",
        "Emploi classique",
        singular="a obtenu un emploi classique",
    ),
    Label(
        "youths_subsidized_or_work_study",
        "Emploi aidé ou alternance",
        "ont obtenu un emploi aidé ou un emploi en alternance",
        "Contrat aidé par l'État, apprentissage ou contrat de professionnalisation.",
        "Emploi aidé ou alternance",
        singular="a obtenu un emploi aidé ou un emploi en alternance",
    ),
    Label(
        "youths_training",
        "Formation",
        "sont entrés en formation",
        "Entrée en formation professionnelle, pour des jeunes reçus en entretien.",
        "Formation",
        singular="est entré en formation",
    ),
    Label(
        "civis_entries",
        "Entrées CIVIS",
        "jeunes entrés en CIVIS",
        "Jeunes entrés dans l'année dans le contrat d'insertion dans la vie sociale.",
        "Entrées en CIVIS",
        singular="jeune entré en CIVIS",
    ),
    Label(
        "civis_exits",
        "Sorties CIVIS",
        "jeunes sortis du CIVIS",
        "Jeunes sortis du CIVIS dans l'année, quel qu'en soit le motif.",
        "Sorties du CIVIS",
        singular="jeune sorti du CIVIS",
    ),
    Label(
        "civis_exits_durable_employment",
        "Emploi durable",
        "dont emploi durable",
        "Sortie vers un emploi de six mois ou plus.",
        "Sorties CIVIS : emploi durable",
    ),
    Label(
        "civis_exits_non_durable_employment",
        "Emploi de moins de six mois",
        "dont emploi de moins de six mois",
        "Sortie vers un emploi de moins de six mois.",
        "Sorties CIVIS : emploi de moins de six mois",
    ),
    Label(
        "civis_exits_training",
        "Formation",
        "dont formation",
        "Sortie vers une formation.",
        "Sorties CIVIS : formation",
    ),
    Label(
        "civis_exits_other",
        "Autres motifs",
        "dont autres motifs",
        "Fin du contrat, déménagement, abandon ou autre motif de sortie.",
        "Sorties CIVIS : autres motifs",
    ),
    Label(
        "structures",
        "Structures",
        "structures actives",
        "Missions locales et PAIO du répertoire ouvertes dans l'année.",
        "Structures actives",
        singular="structure active",
    ),
    Label(
        "missions_locales",
        "Missions locales",
        "missions locales",
        "Missions locales du répertoire ouvertes dans l'année.",
        "Missions locales",
        singular="mission locale",
    ),
    Label("paio", "PAIO", "PAIO", "PAIO du répertoire ouvertes dans l'année.", "PAIO"),
    Label(
        "professionals",
        "Professionnels",
        "professionnels",
        "Salariés déclarés par les structures (déclarations validées).",
        "Professionnels",
        singular="professionnel",
    ),
    Label(
        "funding_total",
        "Financement total",
        "financement total",
        "Financement principal, financements spécifiques et fonds gérés.",
        "Financement total (€)",
        "euros",
    ),
    Label(
        "funding_main",
        "Principal",
        "financement principal",
        "Financement de fonctionnement des structures.",
        "Financement principal (€)",
        "euros",
    ),
    Label(
        "funding_specific",
        "Spécifiques",
        "financements spécifiques",
        "Financements liés à des actions ou des programmes particuliers.",
        "Financements spécifiques (€)",
        "euros",
    ),
    Label(
        "funding_managed_funds",
        "Fonds gérés",
        "fonds gérés",
        "Fonds que les structures gèrent pour le compte d'autres financeurs.",
        "Fonds gérés (€)",
        "euros",
    ),
    Label(
        "cost_per_youth",
        "Coût par jeune",
        "coût par jeune accompagné",
        "Financement total des structures ayant une déclaration validée, rapporté aux jeunes "
        "reçus en entretien individuel dans ces structures.",
        "Coût par jeune accompagné (€)",
        "euros",
    ),
    Label(
        "funder_share_state",
        "État",
        "État",
        "Part de l'État dans le financement principal et spécifique.",
        "Part de l'État (%)",
        "share",
    ),
    Label(
        "funder_share_region",
        "Régions",
        "Régions",
        "Part des conseils régionaux dans le financement principal et spécifique.",
        "Part des régions (%)",
        "share",
    ),
    Label(
        "funder_share_department",
        "Départements",
        "Départements",
        "Part des conseils généraux dans le financement principal et spécifique.",
        "Part des départements (%)",
        "share",
    ),
    Label(
        "funder_share_municipalities",
        "Communes",
        "Communes et intercommunalités",
        "Part des communes et de leurs groupements dans le financement principal et spécifique.",
        "Part des communes (%)",
        "share",
    ),
    Label(
        "funder_share_esf",
        "FSE",
        "Fonds social européen",
        "Part du Fonds social européen dans le financement principal et spécifique.",
        "Part du FSE (%)",
        "share",
    ),
    Label(
        "funder_share_other",
        "Autres",
        "Autres financeurs",
        "Part des autres financeurs dans le financement principal et spécifique.",
        "Part des autres financeurs (%)",
        "share",
    ),
)
# Every key of the report has its wording; the live figures come first, in their order.
assert sorted(LABELS) == sorted(REPORT_KEYS)
assert tuple(LABELS)[: len(FIGURE_KEYS)] == FIGURE_KEYS
