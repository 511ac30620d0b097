"""The admin page ``/admin``, in French: consolidations and the declarations waiting.

``/admin`` asks for an admin token once and opens a session kept in the database
(shared/admin_sessions.py): the cookie (services/web/sessions.py) holds only that
session's random id, so logging out, revoking the token or its expiry ends the session
on every replica, and the token itself never travels again. Every form carries
Flask-WTF's CSRF token, bound to the session: a form posted without a session (or
with another's token) is refused. Failed sign-ins count towards the address's limit
(shared/auth_failures.py).
"""

from __future__ import annotations

import datetime as dt

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import generate_csrf, validate_csrf
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import ValidationError

from services.web.db import read_session, transaction
from services.web.http import ApiError, refused_authentication
from services.web.parameters import (
    integer_or_none,
    is_structure_id,
    optional,
    parse_id,
    parse_year,
    year_range,
)
from services.web.yearend.consolidations import queue_consolidation, recent_jobs
from services.web.yearend.schemas import consolidation_entry
from shared.admin_sessions import admin_of_session, close_admin_session, open_admin_session
from shared.declarations.fields import DeclarationError
from shared.declarations.figures import completeness
from shared.declarations.workflow import REJECTED, SUBMITTED, VALIDATED, decide
from shared.models import Declaration, Structure
from shared.regions import REGIONS
from shared.tokens import Caller, authenticate


def _check_csrf() -> None:
    try:
        validate_csrf(request.form.get("csrf"))
    except ValidationError:
        abort(400, "formulaire expiré : rechargez la page")


def admin_caller() -> Caller | None:
    """The admin of this request's session, if the session is still open."""
    session_id = session.get("sid")
    if not session_id:
        return None
    with read_session() as db:
        caller = admin_of_session(db, session_id)
    if caller is None:
        session.pop("sid", None)
    return caller


def admin() -> str | WerkzeugResponse:
    caller = admin_caller()
    if caller is None:
        return render_template("admin_login.html", csrf=generate_csrf())
    first, last = year_range()
    year_text = optional("year")
    year = dt.date.today().year - 1 if year_text is None else _page_year(year_text)
    job_text = optional("job")
    watched = None if job_text is None else parse_id(job_text, "consolidation")
    history = [consolidation_entry(job) for job in recent_jobs()]
    with read_session() as db:
        waiting = db.execute(
            select(Declaration, Structure.name)
            .join(Structure, Structure.structure_id == Declaration.structure_id)
            .where(Declaration.year == year, Declaration.status == SUBMITTED)
            .order_by(Declaration.region, Declaration.structure_id)
        ).all()
        counts = completeness(db, year)
    return render_template(
        "admin.html",
        csrf=generate_csrf(),
        year=year,
        first_year=first,
        last_year=last,
        history=history,
        waiting=[(row, name) for row, name in waiting],
        counts=counts,
        regions=REGIONS,
        watched=watched,
        statuses={
            "queued": "en attente",
            "running": "en cours",
            "succeeded": "terminée",
            "failed": "échec",
        },
        validated=VALIDATED,
        rejected=REJECTED,
    )


def _page_year(text: str) -> int:
    try:
        return parse_year(text)
    except ApiError:
        first, last = year_range()
        message = f"L'année doit être comprise entre {first} et {last}."
        raise ApiError(400, "invalid_parameter", message) from None


def admin_login() -> WerkzeugResponse | tuple[str, int, dict[str, str]]:
    _check_csrf()
    secret = request.form.get("token", "").strip()
    with read_session() as db:
        caller = authenticate(db, f"Bearer {secret}") if secret else None
    if caller is None or caller.role != "admin":
        retry_after = refused_authentication()
        if retry_after is not None:
            page = render_template("admin_login.html", csrf=generate_csrf(), wait=retry_after)
            return page, 429, {"Retry-After": str(retry_after)}
        flash("Ce jeton n'est pas un jeton d'administration valide.", "error")
        return redirect(url_for("yearend.admin"))
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"]
    with transaction() as db:
        session_id = open_admin_session(db, caller, lifetime)
    # A new cookie (and CSRF token) at sign-in: one planted before cannot be ridden.
    session.clear()
    session.permanent = True
    session["sid"] = session_id
    return redirect(url_for("yearend.admin"))


def admin_logout() -> WerkzeugResponse:
    _check_csrf()
    session_id = session.get("sid")
    if session_id:
        with transaction() as db:
            close_admin_session(db, session_id)
    session.clear()
    return redirect(url_for("yearend.admin"))


def _require_admin() -> Caller:
    caller = admin_caller()
    if caller is None:
        abort(401)
    _check_csrf()
    return caller


def admin_consolidate() -> WerkzeugResponse:
    _require_admin()
    first, last = year_range()
    year = integer_or_none(request.form.get("year", ""), first, last)
    if year is None:
        flash(f"L'année doit être comprise entre {first} et {last}.", "error")
        return redirect(url_for("yearend.admin"))
    job, created = queue_consolidation(year)
    if not created:
        flash(f"Une consolidation de {job.year} est déjà en cours : suivi ci-dessous.", "info")
    return redirect(url_for("yearend.admin", year=job.year, job=job.id))


def admin_decide(year: str, structure_id: str, verdict: str) -> WerkzeugResponse:
    caller = _require_admin()
    if verdict not in ("validate", "reject") or not is_structure_id(structure_id):
        abort(404)
    number = _page_year(year)
    reason = request.form.get("reason", "").strip() or None
    try:
        with transaction() as db:
            decide(
                db,
                caller,
                number,
                structure_id,
                VALIDATED if verdict == "validate" else REJECTED,
                reason,
            )
    except DeclarationError as exc:
        flash(f"{structure_id} : {exc.message}", "error")
    else:
        done = "validée" if verdict == "validate" else "rejetée"
        flash(f"Déclaration {number} de {structure_id} {done}.", "success")
    return redirect(url_for("yearend.admin", year=number))
