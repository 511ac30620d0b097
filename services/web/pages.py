"""The French pages of the web service: ``/``, the live key figures of a year.

The figures are rendered by the server (readable without JavaScript); a small
script then polls ``/v1/figures`` to refresh them in place.
"""

from __future__ import annotations

from typing import Literal

import msgspec
from flask import Blueprint, current_app, render_template, url_for
from sqlalchemy import select

from services.web.figures import QueryError, live_figures, optional, parse_year, resolve_scope
from services.web.formatting import format_number, format_percent, format_time, pending_label
from services.web.schemas import Scope
from shared.figures import FIGURE_KEYS
from shared.models import Structure
from shared.regions import REGIONS

bp = Blueprint("pages", __name__)
bp.add_app_template_filter(format_number, "number")
bp.add_app_template_filter(format_percent, "percent")
bp.add_app_template_filter(format_time, "clock")
bp.add_app_template_filter(pending_label, "pending")

Format = Literal["number", "percent"]

# The wording of the 2007 national report ("Chiffres clés 2007"), section by section.
SECTIONS: tuple[tuple[str, tuple[tuple[str, str, Format], ...]], ...] = (
    (
        "Jeunes accompagnés",
        (
            ("youths_first_reception", "jeunes en premier accueil", "number"),
            ("youths_in_contact", "jeunes en contact", "number"),
            ("youths_received", "jeunes reçus en entretien ou en atelier", "number"),
            ("youths_interviewed", "jeunes reçus en entretien individuel", "number"),
            ("interviews", "entretiens individuels", "number"),
        ),
    ),
    (
        "Accès à l'emploi ou à la formation",
        (
            (
                "youths_with_access",
                "jeunes reçus en entretien ont accédé à l'emploi ou à la formation",
                "number",
            ),
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
        "CIVIS",
        (
            ("civis_entries", "jeunes entrés en CIVIS", "number"),
            ("civis_exits", "jeunes sortis du CIVIS", "number"),
            ("civis_exits_durable_employment", "dont emploi durable", "number"),
            ("civis_exits_non_durable_employment", "dont emploi de moins de six mois", "number"),
            ("civis_exits_training", "dont formation", "number"),
            ("civis_exits_other", "dont autres motifs", "number"),
        ),
    ),
)
assert sorted(key for _, rows in SECTIONS for key, _, _ in rows) == sorted(FIGURE_KEYS)


@bp.get("/")
def index() -> tuple[str, int]:
    region = optional("region")
    structure = optional("structure")
    # The form has both selects; a structure is the narrower choice and names its region.
    if structure:
        region = None
    year_text = optional("year")
    context: dict[str, object] = {
        "sections": SECTIONS,
        "regions": REGIONS,
        "region": region,
        "structure": structure,
        "year": year_text,
        "document": None,
        "error": None,
    }
    status = 200
    with current_app.extensions["read_sessions"]() as session:
        structures = session.execute(
            select(Structure.structure_id, Structure.name, Structure.region).order_by(
                Structure.region, Structure.structure_id
            )
        ).all()
        context["structures"] = structures
        try:
            year = parse_year(year_text)
            scope = resolve_scope(session, region, structure)
            document = live_figures(session, year, scope)
        except QueryError as exc:
            status = exc.status
            context["error"] = {
                "invalid_parameter": "L'année demandée n'est pas valide.",
                "unknown_region": "Cette région n'existe pas.",
                "unknown_structure": "Cette structure n'est pas dans le répertoire.",
            }.get(exc.code, exc.message)
        else:
            context.update(
                year=year,
                document=document,
                figures=msgspec.structs.asdict(document.figures),
                scope_label=scope_label(scope, {row.structure_id: row.name for row in structures}),
                endpoint=url_for(
                    "figures.get_figures", year=year, region=region, structure=structure
                ),
            )
    return render_template("index.html", **context), status


def scope_label(scope: Scope, structure_names: dict[str, str]) -> str:
    """What the page's title says the figures cover."""
    if scope.level == "region" and scope.id:
        return REGIONS[scope.id]
    if scope.level == "structure" and scope.id:
        return structure_names[scope.id]
    return "France entière"
