"""``/declarations``: the campaign of a year as each role sees it.

- a validator (DRTEFP): its region's active structures with the state of their
  declaration, the region's completeness, filters (state, kind, name), each row leading
  to the declaration's page, those waiting for a decision first;
- an admin: the same for one region or the whole country;
- a structure: its declarations year by year, the one to fill in and until when, its contact
  address (which it changes itself) and the mails bilan sent it.
The validator's and admin's list begins with the window and the days left, and who has not
declared.
Filters are query parameters (a GET form): a filtered list is a link, and works without JavaScript;
the list is cut in pages of PAGE_SIZE rows, whose links keep the filters.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from services.http.errors import ApiError
from services.web.db import read_session
from services.web.formatting import alphabetical
from services.web.pagination import paginate
from services.web.parameters import optional, year_choices
from services.web.signin.identity import Identity, check_csrf, require_identity
from services.web.yearend.campaign_window_page import window_text
from services.web.yearend.structure_contact import mails_sent_to, save_contact
from services.web.yearend.wording import KINDS, STATES, campaign_year, page_year, structure_words
from shared.access.signins import PAGE_ROLES
from shared.declarations.campaign import (
    CAMPAIGN_STATES,
    NONE,
    StructureStatus,
    progress_of,
    structure_statuses,
)
from shared.declarations.campaign_window import window_of
from shared.declarations.workflow import REJECTED, SUBMITTED, VALIDATED
from shared.mail.addresses import MAX_LENGTH
from shared.pipeline.live import years_with_data
from shared.regions import REGIONS
from shared.storage.models.declarations import Declaration
from shared.storage.models.registry import Structure

# Waiting for a decision first, then rejected (waiting for the structure), missing, validated.
PRIORITY = {SUBMITTED: 0, REJECTED: 1, "none": 2, VALIDATED: 3}
# Rows a page of the list shows: the national list (486 structures) in ten pages.
PAGE_SIZE = 50


def _bad(what: str) -> ApiError:
    return ApiError(400, "invalid_parameter", f"Le filtre « {what} » demandé n'existe pas.")


def _filtered(
    statuses: list[StructureStatus], state: str | None, kind: str | None, text: str | None
) -> list[StructureStatus]:
    wanted = alphabetical(text) if text else None
    return sorted(
        (
            s
            for s in statuses
            if (state is None or s.status == state)
            and (kind is None or s.kind == kind)
            and (wanted is None or wanted in alphabetical(f"{s.name} {s.structure_id}"))
        ),
        key=lambda s: (PRIORITY[s.status], alphabetical(s.name)),
    )


def _regional(identity: Identity) -> tuple[str, int]:
    year = page_year(optional("year"))
    state, kind, text = optional("status"), optional("kind"), optional("q")
    if state is not None and state not in CAMPAIGN_STATES:
        raise _bad("état")
    if kind is not None and kind not in KINDS:
        raise _bad("type")
    if identity.role == "validator":
        region = identity.caller.region
        asked = optional("region")
        if asked is not None and asked != region:
            name = REGIONS.get(region or "", region)
            message = f"Vous validez les déclarations de la région {name} seulement."
            raise ApiError(403, "forbidden_region", message)
    else:
        region = optional("region")
        if region is not None and region not in REGIONS:
            raise ApiError(404, "unknown_region", "Cette région n'existe pas.")
    with read_session() as db:
        statuses = structure_statuses(db, year, region)
        with_data = years_with_data(db)
        window = window_of(db, year)
    rows = _filtered(statuses, state, kind, text)
    by_name = sorted(statuses, key=lambda s: alphabetical(s.name))
    # The filters stay in the links of the other pages (a validator's region is its own).
    filters = {
        "year": year,
        "region": region if identity.role == "admin" else None,
        "status": state,
        "kind": kind,
        "q": text,
    }
    page = paginate(len(rows), PAGE_SIZE, "yearend.campaign", filters)
    scope = REGIONS[region] if region else "France entière"
    return render_template(
        "campaign.html",
        year=year,
        years=year_choices(year, with_data),
        region=region,
        scope=scope,
        regions=sorted(REGIONS.items(), key=lambda item: alphabetical(item[1])),
        regions_by_code=REGIONS,
        progress=progress_of(region or "", statuses),
        rows=page.rows(rows),
        page=page,
        shown=len(rows),
        state=state,
        kind=kind,
        text=text or "",
        states=STATES,
        kinds=KINDS,
        filtered=state is not None or kind is not None or bool(text),
        window=window,
        window_text=window_text(window),
        not_sent=[s for s in by_name if s.status == NONE],
        to_correct=[s for s in by_name if s.status == REJECTED],
    ), 200


def _structure_home(identity: Identity) -> tuple[str, int] | WerkzeugResponse:
    structure_id = identity.structure_id or ""
    if optional("year") is not None:
        # "Une autre année": that year's declaration.
        year = page_year(optional("year"))
        return redirect(url_for("yearend.declaration_page", year=year, structure_id=structure_id))
    return structure_home(identity)


def structure_home(
    identity: Identity,
    contact_value: str | None = None,
    contact_error: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """A structure's page: its declarations, the campaign's window, its contact address (as
    typed, with its error, when a change was refused) and the mails it was sent."""
    structure_id = identity.structure_id or ""
    current = campaign_year()
    with read_session() as db:
        structure = db.get(Structure, structure_id)
        if structure is None:
            message = "La structure de ce jeton n'est plus dans le répertoire."
            raise ApiError(404, "unknown_structure", message)
        declared = {
            row.year: row
            for row in db.scalars(
                select(Declaration).where(Declaration.structure_id == structure_id)
            )
        }
        with_data = years_with_data(db)
        window = window_of(db, current)
        mails = mails_sent_to(db, structure_id)
    years = sorted({current, *declared}, reverse=True)
    rows: list[dict[str, Any]] = [
        {
            "year": year,
            "row": declared.get(year),
            "state": declared[year].status if year in declared else "none",
            "href": url_for("yearend.declaration_page", year=year, structure_id=structure_id),
        }
        for year in years
    ]
    return render_template(
        "structure_home.html",
        **structure_words(structure),
        rows=rows,
        current=current,
        states=STATES,
        years=year_choices(current, with_data),
        window=window,
        window_text=window_text(window),
        contact_value=structure.email if contact_value is None else contact_value,
        contact_error=contact_error,
        mails=mails,
        mail_on=current_app.config["SETTINGS"].mail_on,
    ), status


def contact_submit() -> WerkzeugResponse | tuple[str, int]:
    """``POST /declarations/contact``: a structure changes its own contact address."""
    identity = require_identity("structure", what="aux structures")
    check_csrf()
    typed = request.form.get("email", "")
    error = save_contact(identity.structure_id or "", typed)
    if error is not None:
        return structure_home(identity, typed.strip()[:MAX_LENGTH], error, 422)
    return redirect(url_for("yearend.campaign", _anchor="contact-title"), 303)


def campaign() -> tuple[str, int] | WerkzeugResponse:
    identity = require_identity(*PAGE_ROLES, what="aux personnes connectées")
    if identity.role == "structure":
        return _structure_home(identity)
    return _regional(identity)
