"""The admin page ``/admin``, in French: consolidations and the declarations waiting.

``/admin`` asks for an admin token once and keeps only its SHA-256 in Flask's
signed session cookie (HttpOnly, SameSite=Lax): the token itself never travels
again, and the digest cannot be used as a bearer token. Every form of the page
carries a per-session CSRF token.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets

from flask import Flask, abort, flash, redirect, render_template, request, session, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from services.web.db import read_session, transaction
from services.web.http import whole_number, year_range
from services.web.yearend.consolidations import queue_consolidation, recent_jobs
from services.web.yearend.schemas import consolidation_entry
from shared.declarations.fields import DeclarationError
from shared.declarations.figures import completeness
from shared.declarations.workflow import REJECTED, SUBMITTED, VALIDATED, decide
from shared.models import Declaration, Structure, Token
from shared.regions import REGIONS
from shared.tokens import Caller, authenticate, token_digest


def init_sessions(app: Flask) -> None:
    """The signed session cookie that holds the admin's token digest."""
    app.secret_key = app.secret_key or app.config["SETTINGS"].secret_key
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=8),
    )


def _csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return str(session["csrf"])


def _check_csrf() -> None:
    sent = request.form.get("csrf", "")
    if not hmac.compare_digest(sent, session.get("csrf", "")):
        abort(400, "formulaire expiré : rechargez la page")


def admin_caller() -> Caller | None:
    """The admin whose token digest the session holds, if that token still exists."""
    digest = session.get("admin")
    if not digest:
        return None
    with read_session() as db:
        token = db.scalar(select(Token).where(Token.token_hash == digest))
    if token is None or token.role != "admin":
        session.pop("admin", None)
        return None
    return Caller(token.id, token.role, frozenset(token.structures or ()), token.region)


def admin() -> str | WerkzeugResponse:
    caller = admin_caller()
    if caller is None:
        return render_template("admin_login.html", csrf=_csrf_token())
    first, last = year_range()
    default_year = dt.date.today().year - 1
    year = whole_number(request.args.get("year"))
    if year is None:
        year = default_year
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
        csrf=_csrf_token(),
        year=year,
        first_year=first,
        last_year=last,
        history=history,
        waiting=[(row, name) for row, name in waiting],
        counts=counts,
        regions=REGIONS,
        watched=whole_number(request.args.get("job")),
        statuses={
            "queued": "en attente",
            "running": "en cours",
            "succeeded": "terminée",
            "failed": "échec",
        },
        validated=VALIDATED,
        rejected=REJECTED,
    )


def admin_login() -> WerkzeugResponse:
    _check_csrf()
    secret = request.form.get("token", "").strip()
    with read_session() as db:
        caller = authenticate(db, f"Bearer {secret}") if secret else None
    if caller is None or caller.role != "admin":
        flash("Ce jeton n'est pas un jeton d'administration valide.", "error")
        return redirect(url_for("yearend.admin"))
    session.clear()
    session.permanent = True
    session["admin"] = token_digest(secret)
    session["csrf"] = secrets.token_urlsafe(24)
    return redirect(url_for("yearend.admin"))


def admin_logout() -> WerkzeugResponse:
    _check_csrf()
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
    year = whole_number(request.form.get("year"))
    if year is None or not first <= year <= last:
        flash(f"L'année doit être comprise entre {first} et {last}.", "error")
        return redirect(url_for("yearend.admin"))
    job, created = queue_consolidation(year)
    if not created:
        flash(f"Une consolidation de {job.year} est déjà en cours : suivi ci-dessous.", "info")
    return redirect(url_for("yearend.admin", year=job.year, job=job.id))


def admin_decide(year: int, structure_id: str, verdict: str) -> WerkzeugResponse:
    caller = _require_admin()
    if verdict not in ("validate", "reject"):
        abort(404)
    reason = request.form.get("reason", "").strip() or None
    try:
        with transaction() as db:
            decide(
                db,
                caller,
                year,
                structure_id,
                VALIDATED if verdict == "validate" else REJECTED,
                reason,
            )
    except DeclarationError as exc:
        flash(f"{structure_id} : {exc.message}", "error")
    else:
        done = "validée" if verdict == "validate" else "rejetée"
        flash(f"Déclaration {year} de {structure_id} {done}.", "success")
    return redirect(url_for("yearend.admin", year=year))
