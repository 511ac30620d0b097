"""The admin page ``/admin``, in French: the campaign in each region, consolidations and
their history, the declarations waiting.

Only the years that have ended are offered for consolidation (and the others refused). A
year whose declarations are not complete — every active structure with a validated one —
may still be consolidated, into a provisional report, once the admin has read what is
missing and confirmed it (a second form, so that it works without JavaScript).

``/admin`` asks for an admin token once (services/web/signin: the sign-in is a database
row, the cookie holds its random id) and every form carries the cookie's CSRF token.
Without a sign-in the page is the 401 page holding the admin's sign-in form; signed in
with another role, a 403.
"""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response as WerkzeugResponse

from services.web.db import read_session, transaction
from services.web.formatting import alphabetical
from services.web.parameters import (
    integer_or_none,
    is_structure_id,
    optional,
    parse_id,
    year_choices,
    year_range,
)
from services.web.reports.field import ReportField
from services.web.signin.forms import ADMIN_FORM
from services.web.signin.identity import Identity, check_csrf, require_identity
from services.web.yearend.campaign_window_page import (
    WindowForm,
    admin_campaign,
    day_with_weekday,
    read_window_form,
    refusal_of,
)
from services.web.yearend.consolidations import queue_consolidation, recent_jobs
from services.web.yearend.decisions import decide_and_mail
from services.web.yearend.declaration_rights import refusal
from services.web.yearend.schemas import consolidation_entry
from services.web.yearend.wording import page_year
from shared.consolidation.jobs import ConsolidationRefused, year_has_ended
from shared.declarations.campaign import region_progress, total_of
from shared.declarations.campaign_window import WindowRefused, save_window, window_of
from shared.declarations.fields import DeclarationError
from shared.declarations.figures import completeness
from shared.declarations.workflow import REJECTED, SUBMITTED, VALIDATED
from shared.pipeline.live import years_with_data
from shared.regions import REGIONS
from shared.report.versions import reports_by_year
from shared.storage.models.declarations import Declaration
from shared.storage.models.registry import Structure

ADMINS = "à l'administration nationale"
JOB_STATES = {
    "queued": "en attente",
    "running": "en cours",
    "succeeded": "terminée",
    "failed": "échec",
}


def admin() -> str:
    require_identity("admin", what=ADMINS, form=ADMIN_FORM)
    year_text = optional("year")
    year = dt.date.today().year - 1 if year_text is None else page_year(year_text)
    job_text = optional("job")
    watched = None if job_text is None else parse_id(job_text, "consolidation")
    return admin_page(year, watched)


def admin_page(year: int, watched: int | None = None, window_form: WindowForm | None = None) -> str:
    """The page of a year (``window_form``: the campaign's window as posted, with its errors)."""
    history = [consolidation_entry(job) for job in recent_jobs()]
    regions = sorted(REGIONS, key=lambda code: alphabetical(REGIONS[code]))
    with read_session() as db:
        waiting = db.execute(
            select(Declaration, Structure.name)
            .join(Structure, Structure.structure_id == Declaration.structure_id)
            .where(Declaration.year == year, Declaration.status == SUBMITTED)
            .order_by(Declaration.region, Declaration.structure_id)
        ).all()
        progress = region_progress(db, year, regions)
        with_data = years_with_data(db)
        frozen = {
            (number, v.version): ReportField.of_version(v.completeness)
            for number, versions in reports_by_year(db)
            for v in versions
        }
        campaign = admin_campaign(db, window_of(db, year), window_form)
    first, last = year_range()
    years = year_choices(year, with_data)
    ended = [y for y in years if year_has_ended(y)]
    return render_template(
        "admin.html",
        year=year,
        years=years,
        ended_years=ended,
        consolidate_year=year if year in ended else (ended[0] if ended else None),
        first_year=first,
        last_year=last,
        history=history,
        frozen=frozen,
        waiting=[(row, name) for row, name in waiting],
        progress=progress,
        total=total_of(progress),
        regions=REGIONS,
        watched=watched,
        statuses=JOB_STATES,
        validated=VALIDATED,
        rejected=REJECTED,
        **campaign,
    )


def _require_admin() -> Identity:
    identity = require_identity("admin", what=ADMINS)
    check_csrf()
    return identity


def admin_consolidate() -> WerkzeugResponse | str:
    """Queue a consolidation; first, when the year's declarations are not complete, a page
    that says what is missing and asks to confirm (a form: no JavaScript needed)."""
    identity = _require_admin()
    first, last = year_range()
    year = integer_or_none(request.form.get("year", ""), first, last)
    if year is None:
        flash(f"L'année doit être comprise entre {first} et {last}.", "error")
        return redirect(url_for("yearend.admin"))
    if not year_has_ended(year):
        flash(
            f"L'année {year} n'est pas terminée : elle ne peut être consolidée qu'à partir du "
            f"1er janvier {year + 1} (heure de Paris).",
            "error",
        )
        return redirect(url_for("yearend.admin", year=year))
    with read_session() as db:
        counts = completeness(db, year)
    if not counts.complete and request.form.get("confirm") != "1":
        return render_template("admin_confirm.html", year=year, counts=counts)
    try:
        job, created = queue_consolidation(year, identity.caller)
    except ConsolidationRefused as exc:  # a purged year (or its end moved under us)
        flash(
            f"L'année {year} a été purgée : son rapport est définitif."
            if exc.code == "purged_year"
            else exc.message,
            "error",
        )
        return redirect(url_for("yearend.admin", year=year))
    if not created:
        flash(f"Une consolidation de {job.year} est déjà en cours : suivi ci-dessous.", "info")
    return redirect(url_for("yearend.admin", year=job.year, job=job.id))


def admin_decide(year: str, structure_id: str, verdict: str) -> WerkzeugResponse:
    identity = _require_admin()
    if verdict not in ("validate", "reject") or not is_structure_id(structure_id):
        raise NotFound()
    number = page_year(year)
    reason = request.form.get("reason", "").strip() or None
    try:
        decision = VALIDATED if verdict == "validate" else REJECTED
        decide_and_mail(identity.caller, number, structure_id, decision, reason)
    except DeclarationError as exc:
        flash(f"{structure_id} : {refusal(exc)}", "error")
    else:
        done = "validée" if verdict == "validate" else "rejetée"
        flash(f"Déclaration {number} de {structure_id} {done}.", "success")
    return redirect(url_for("yearend.admin", year=number))


def admin_window_save(year: str) -> WerkzeugResponse | tuple[str, int]:
    """``POST /admin/campagnes/{year}``: save the year's window, or show the form's errors."""
    identity = _require_admin()
    number = page_year(year)
    form, days = read_window_form(request.form, number)
    if not form.errors:
        try:
            with transaction() as db:
                save_window(db, identity.caller, number, days["opens_on"], days["closes_on"])
        except WindowRefused as exc:
            form.errors[exc.field] = refusal_of(exc, number)
    if form.errors:
        return admin_page(number, window_form=form), 422
    flash(
        f"Campagne {number} : les structures déclarent du {day_with_weekday(days['opens_on'])} au "
        f"{day_with_weekday(days['closes_on'])} inclus.",
        "success",
    )
    return redirect(url_for("yearend.admin", year=number, _anchor="window-title"), 303)
