"""A structure's declaration of a year as a page, ``/declarations/{year}/{structure_id}``,
and the validator's decisions on it (``…/validation``, ``…/rejet``).

The page shows where the declaration stands, its values beside the structure's last
validated ones, the rejection's reason, the audit trail (who, what, when, in Paris time),
and what the signed-in role may do: the structure (or an admin) fill it in or correct it,
the region's validator (or an admin) validate it or reject it with a reason.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from services.web.db import read_session
from services.web.formatting import format_euros, format_number, format_percent
from services.web.signin.identity import check_csrf, require_identity
from services.web.yearend.decisions import decide_and_mail
from services.web.yearend.declaration_form import FIELDS, FUNDERS, FUNDING, STAFF
from services.web.yearend.declaration_rights import (
    refusal,
    rights_of,
    structure_or_404,
)
from services.web.yearend.wording import ACTIONS, ROLES, STATES, page_year, structure_words
from shared.access.signins import PAGE_ROLES
from shared.declarations.campaign import NONE, last_validated
from shared.declarations.fields import DeclarationError
from shared.declarations.workflow import REJECTED, SUBMITTED, VALIDATED, history
from shared.storage.models.declarations import Declaration

READERS = "aux structures, aux DRTEFP et à l'administration nationale"
DECIDERS = "aux DRTEFP et à l'administration nationale"
REASON_MAX = 2000


def _value(row: Declaration | None, name: str, euros: bool) -> str:
    if row is None:
        return "—"
    value = getattr(row, name)
    return format_euros(value) if euros else format_number(value)


def value_rows(row: Declaration | None, before: Declaration | None) -> list[dict[str, Any]]:
    """The declaration's values, each beside the last validated one, by group."""
    covered = (row.funding_main + row.funding_specific) if row else 0
    groups = []
    for title, fields in (
        ("Personnel", (STAFF,)),
        ("Financement", FUNDING),
        ("Financeurs de l'activité principale et des activités spécifiques", FUNDERS),
    ):
        rows = []
        for field in fields:
            share = None
            if row is not None and field in FUNDERS and covered:
                share = format_percent(getattr(row, field.name) / covered, 1)
            rows.append(
                {
                    "label": field.label,
                    "value": _value(row, field.name, field.euros),
                    "before": _value(before, field.name, field.euros),
                    "share": share,
                }
            )
        groups.append({"title": title, "rows": rows})
    return groups


def _trail(db: Any, year: int, structure_id: str) -> list[dict[str, Any]]:
    return [
        {
            "at": entry.at,
            "action": ACTIONS.get(entry.action, entry.action),
            "who": f"{ROLES.get(entry.role, entry.role)}"
            + (f" (jeton n° {entry.token_id})" if entry.token_id else ""),
            "reason": entry.reason,
        }
        for entry in reversed(history(db, year, structure_id))
    ]


def render_declaration(
    year_text: str, structure_id: str, reject_error: str | None = None, status: int = 200
) -> tuple[str, int]:
    """The page; ``reject_error`` beside the reason when a rejection was refused."""
    identity = require_identity(*PAGE_ROLES, what=READERS)
    year = page_year(year_text)
    with read_session() as db:
        structure = structure_or_404(db, structure_id)
        rights = rights_of(db, identity, structure)
        row = db.get(Declaration, (year, structure.structure_id))
        before = last_validated(db, year, structure.structure_id)
        trail = _trail(db, year, structure.structure_id)
    state = NONE if row is None else row.status
    page = render_template(
        "declaration.html",
        year=year,
        **structure_words(structure),
        row=row,
        state=state,
        states=STATES,
        groups=value_rows(row, before),
        before=before,
        trail=trail,
        may_fill=rights.submit and state != VALIDATED,
        may_validate=rights.decide and state == SUBMITTED,
        may_reject=rights.decide and state in (SUBMITTED, VALIDATED),
        rejected=state == REJECTED,
        reject_error=reject_error,
        reason=request.form.get("reason", "") if reject_error else "",
        reason_max=REASON_MAX,
        fields=FIELDS,
    )
    return page, status


def declaration_page(year: str, structure_id: str) -> tuple[str, int]:
    return render_declaration(year, structure_id)


def _decide(year_text: str, structure_id: str, verdict: str) -> WerkzeugResponse | tuple[str, int]:
    identity = require_identity("validator", "admin", what=DECIDERS)
    check_csrf()
    year = page_year(year_text)
    reason = request.form.get("reason", "").strip()[:REASON_MAX] or None
    if verdict == REJECTED and reason is None:
        return render_declaration(year_text, structure_id, "Indiquez le motif du rejet.", 422)
    if reason is not None and "\x00" in reason:
        return render_declaration(
            year_text, structure_id, "Ce motif contient un caractère nul.", 422
        )
    with read_session() as db:
        structure = structure_or_404(db, structure_id)
        rights_of(db, identity, structure)  # a 403 page for another region's validator
    try:
        decide_and_mail(identity.caller, year, structure.structure_id, verdict, reason)
    except DeclarationError as exc:
        flash(refusal(exc), "error")
    else:
        done = "validée" if verdict == VALIDATED else "rejetée"
        flash(f"Déclaration {year} de {structure.name} {done}.", "success")
    return redirect(url_for("yearend.declaration_page", year=year, structure_id=structure_id), 303)


def declaration_validate(year: str, structure_id: str) -> WerkzeugResponse | tuple[str, int]:
    return _decide(year, structure_id, VALIDATED)


def declaration_reject(year: str, structure_id: str) -> WerkzeugResponse | tuple[str, int]:
    return _decide(year, structure_id, REJECTED)
