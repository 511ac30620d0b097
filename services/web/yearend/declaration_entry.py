"""The declaration form, ``/declarations/{year}/{structure_id}/saisie``: a structure's (or an
admin's for any structure) entry of its year's staff and funding, then its submission.

The form works without JavaScript: it is posted, read and checked here
(declaration_form.py) and shown again with each error beside its field; a correct one is
submitted (``submitted``) and the page of the declaration says where it stands. With
JavaScript, static/declaration.js adds the funders' sum as one types. The structure's last
validated declaration is offered as a starting point (``?reprendre=1``).
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from services.web.db import read_session, transaction
from services.web.formatting import format_euros
from services.web.signin.identity import check_csrf, require_identity
from services.web.yearend.campaign_window_page import window_text
from services.web.yearend.declaration_form import (
    FUNDERS,
    FUNDERS_KEY,
    FUNDING,
    MISMATCH,
    STAFF,
    errors_title,
    field_names,
    read_form,
    read_number,
    values_of,
)
from services.web.yearend.declaration_rights import refusal, rights_of, structure_or_404
from services.web.yearend.wording import STATES, page_year, structure_words
from shared.declarations.campaign import NONE, last_validated
from shared.declarations.campaign_window import window_of
from shared.declarations.fields import DeclarationError
from shared.declarations.workflow import REJECTED, VALIDATED, submit
from shared.regions import REGIONS
from shared.registry import active_in
from shared.storage.models.declarations import Declaration

SUBMITTERS = "aux structures (leur propre déclaration) et à l'administration nationale"


def _sums(values: dict[str, str]) -> dict[str, str] | None:
    """The funders' sum and what it must equal, when every amount reads as a number."""
    numbers = {}
    for field in (*FUNDING, *FUNDERS):
        number, _ = read_number(values.get(field.name, ""), field)
        if number is None:
            return None
        numbers[field.name] = number
    covered = numbers["funding_main"] + numbers["funding_specific"]
    funders = sum(numbers[f.name] for f in FUNDERS)
    return {"funders": format_euros(funders), "covered": format_euros(covered)}


def _render(
    year: int,
    structure_id: str,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    general: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    identity = require_identity("structure", "admin", what=SUBMITTERS)
    with read_session() as db:
        structure = structure_or_404(db, structure_id)
        # A structure token reads its own only: the 403 page for another structure.
        rights_of(db, identity, structure)
        row = db.get(Declaration, (year, structure.structure_id))
        before = last_validated(db, year, structure.structure_id)
        window = window_of(db, year)
    state = NONE if row is None else row.status
    resumed = False
    if values is None:
        resumed = request.args.get("reprendre") == "1" and before is not None and row is None
        values = values_of(before if resumed else row)
    context: dict[str, Any] = {
        "year": year,
        **structure_words(structure),
        "row": row,
        "state": state,
        "states": STATES,
        "locked": state == VALIDATED,
        "active": active_in(structure, year),
        "rejected": state == REJECTED,
        "before": before,
        "resumed": resumed,
        "values": values,
        "errors": errors or {},
        "general": general,
        "staff": STAFF,
        "funding": FUNDING,
        "funders": FUNDERS,
        "funders_key": FUNDERS_KEY,
        "field_names": field_names(),
        # The list's title as static/declaration.js rewrites it when errors are corrected.
        "errors_titles": {"one": errors_title(1), "many": errors_title(2).replace("2", "{n}")},
        "mismatch": MISMATCH,
        "sums": _sums(values),
        "window_text": window_text(window),
        # A structure outside its year's window (an admin is not bound by it).
        "closed": identity.role == "structure" and not window.open,
    }
    return render_template("declaration_form.html", **context), status


def declaration_form(year: str, structure_id: str) -> tuple[str, int]:
    return _render(page_year(year), structure_id)


def declaration_submit(year: str, structure_id: str) -> WerkzeugResponse | tuple[str, int]:
    identity = require_identity("structure", "admin", what=SUBMITTERS)
    check_csrf()
    number = page_year(year)
    reading = read_form(request.form)
    if reading.fields is None:
        general = errors_title(len(reading.errors))
        return _render(number, structure_id, reading.values, reading.errors, general, 422)
    with read_session() as db:
        structure = structure_or_404(db, structure_id)
        rights_of(db, identity, structure)
    try:
        with transaction() as db:
            submit(db, identity.caller, number, structure.structure_id, reading.fields)
    except DeclarationError as exc:
        return _render(number, structure_id, reading.values, {}, refusal(exc), 409)
    flash(
        f"Déclaration {number} transmise : elle attend la validation de la DRTEFP "
        f"{REGIONS.get(structure.region, structure.region)}.",
        "success",
    )
    return redirect(
        url_for("yearend.declaration_page", year=number, structure_id=structure_id), 303
    )
