"""The year-end pages, in French: ``/rapports/{year}`` (the frozen report) and ``/admin``.

``/admin`` asks for an admin token once and keeps only its SHA-256 in Flask's
signed session cookie (HttpOnly, SameSite=Lax): the token itself never travels
again, and the digest cannot be used as a bearer token. Every form of the page
carries a per-session CSRF token.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from typing import Any

import msgspec
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sansio.blueprints import BlueprintSetupState
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from services.web.consolidations import HISTORY, queue_consolidation
from services.web.figures import year_range
from services.web.formatting import format_number, format_percent
from services.web.pages import json_script
from services.web.yearend_schemas import utc
from shared.consolidation import read_report, report_versions
from shared.declarations import (
    REJECTED,
    SUBMITTED,
    VALIDATED,
    DeclarationError,
    completeness,
    decide,
)
from shared.models import Consolidation, Declaration, Structure, Token
from shared.regions import REGIONS
from shared.report import FORMATS, LABELS, SECTIONS
from shared.tokens import Caller, authenticate, token_digest

bp = Blueprint("yearend_pages", __name__)


@bp.record_once
def _configure_sessions(state: BlueprintSetupState) -> None:
    app = state.app
    app.secret_key = app.secret_key or app.config["SETTINGS"].secret_key
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=8),
    )


def format_euros(value: int | float) -> str:
    """``474 000 000 €``; millions as ``474 M€`` would hide the exact total."""
    return f"{format_number(value)}\u202f€"


def format_value(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "percent":
        return format_percent(value)
    if kind == "share":
        return format_percent(value, 1)
    if kind == "euros":
        return format_euros(value)
    return format_number(value)


bp.add_app_template_filter(format_euros, "euros")


# --- /rapports/{year} ----------------------------------------------------------------------


def _bars(figures: dict[str, Any], keys: tuple[str, ...], total: float) -> list[dict[str, Any]]:
    """Rows of a horizontal bar chart: label, value, share of ``total`` (0..1) and its text."""
    return [
        {
            "key": key,
            "label": LABELS[key],
            "value": figures[key],
            "text": format_value(figures[key], FORMATS[key]),
            "share": (figures[key] / total) if total else 0.0,
            "share_text": format_percent((figures[key] / total) if total else 0.0, 1),
        }
        for key in keys
    ]


def charts_of(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """The report's charts, computed from its figures only.

    Each is a bar per row, its length the row's share of a total; ``share_column`` says
    whether the values table shows that share beside the value (not when the value is
    itself the share).
    """
    interviewed = figures["youths_interviewed"]
    exits = figures["civis_exits"]
    funding = figures["funding_total"]
    return [
        {
            "title": "Accès à l'emploi et à la formation des jeunes reçus en entretien",
            "rows": _bars(
                figures,
                (
                    "youths_with_access",
                    "youths_employment",
                    "youths_subsidized_or_work_study",
                    "youths_training",
                ),
                interviewed,
            ),
            "note": "en proportion des jeunes reçus en entretien individuel",
            "share_column": True,
        },
        {
            "title": "Sorties du CIVIS selon le motif",
            "rows": _bars(
                figures,
                (
                    "civis_exits_durable_employment",
                    "civis_exits_non_durable_employment",
                    "civis_exits_training",
                    "civis_exits_other",
                ),
                exits,
            ),
            "note": "en proportion des jeunes sortis du CIVIS",
            "share_column": True,
        },
        {
            "title": "Répartition du financement",
            "rows": _bars(
                figures, ("funding_main", "funding_specific", "funding_managed_funds"), funding
            ),
            "note": "en proportion du financement total",
            "share_column": True,
        },
        {
            "title": "Part de chaque financeur",
            "rows": _bars(
                figures,
                tuple(key for key in LABELS if key.startswith("funder_share_")),
                1.0,
            ),
            "note": "financement principal et spécifique",
            "share_column": False,
        },
    ]


def charts_data(charts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What static/rapport.js draws: per chart, its bars in percent and their texts."""
    return [
        {
            "title": chart["title"],
            "labels": [row["label"] for row in chart["rows"]],
            "percents": [round(100 * row["share"], 2) for row in chart["rows"]],
            "texts": [row["text"] for row in chart["rows"]],
            "shares": [row["share_text"] for row in chart["rows"]],
        }
        for chart in charts
    ]


@bp.get("/rapports/<int:year>")
def report_page(year: int) -> tuple[str, int]:
    version_text = request.args.get("version") or None
    version = int(version_text) if version_text and version_text.isdigit() else None
    with current_app.extensions["read_sessions"]() as db:
        report = read_report(db, year, version)
        versions = report_versions(db, year)
    if report is None:
        return render_template(
            "rapport.html", year=year, document=None, versions=versions, requested=version
        ), 404
    document = msgspec.json.decode(report.document)
    figures = document["figures"]
    sections = [
        (
            title,
            [(key, label, format_value(figures[key], fmt)) for key, label, fmt in rows],
        )
        for title, rows in SECTIONS
    ]
    diff = document["previous_version_diff"]
    changes = [
        {
            "label": LABELS.get(key, key),
            "previous": format_value(change["previous"], FORMATS.get(key, "number")),
            "current": format_value(change["current"], FORMATS.get(key, "number")),
        }
        for key, change in (diff or {}).items()
    ]
    differences = document["reconciliation"]["differences"]
    charts = charts_of(figures)
    return render_template(
        "rapport.html",
        year=year,
        document=document,
        consolidated_at=dt.datetime.fromisoformat(document["consolidated_at"]),
        sections=sections,
        charts=charts,
        charts_json=json_script(charts_data(charts)),
        changes=changes,
        first_version=diff is None,
        differences=differences,
        labels=LABELS,
        versions=versions,
        sha256=report.sha256,
        regions=REGIONS,
    ), 200


# --- /admin ----------------------------------------------------------------------------------


def _csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def _check_csrf() -> None:
    sent = request.form.get("csrf", "")
    if not hmac.compare_digest(sent, session.get("csrf", "")):
        abort(400, "formulaire expiré : rechargez la page")


def admin_caller() -> Caller | None:
    """The admin whose token digest the session holds, if that token still exists."""
    digest = session.get("admin")
    if not digest:
        return None
    with current_app.extensions["read_sessions"]() as db:
        token = db.scalar(select(Token).where(Token.token_hash == digest))
    if token is None or token.role != "admin":
        session.pop("admin", None)
        return None
    return Caller(token.id, token.role, frozenset(token.structures or ()), token.region)


@bp.get("/admin")
def admin() -> str | WerkzeugResponse:
    caller = admin_caller()
    if caller is None:
        return render_template("admin_login.html", csrf=_csrf_token())
    first, last = year_range()
    default_year = dt.date.today().year - 1
    year_text = request.args.get("year") or ""
    year = int(year_text) if year_text.isdigit() else default_year
    with current_app.extensions["read_sessions"]() as db:
        jobs = db.scalars(select(Consolidation).order_by(Consolidation.id.desc()).limit(HISTORY))
        history = [
            {
                "id": job.id,
                "year": job.year,
                "status": job.status,
                "progress": job.progress,
                "version": job.version,
                "error": job.error,
                "created_at": utc(job.created_at),
                "finished_at": utc(job.finished_at),
            }
            for job in jobs
        ]
        waiting = db.execute(
            select(Declaration, Structure.name)
            .join(Structure, Structure.structure_id == Declaration.structure_id)
            .where(Declaration.year == year, Declaration.status == SUBMITTED)
            .order_by(Declaration.region, Declaration.structure_id)
        ).all()
        counts = completeness(db, year)
    watched = request.args.get("job")
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
        watched=int(watched) if watched and watched.isdigit() else None,
        statuses={
            "queued": "en attente",
            "running": "en cours",
            "succeeded": "terminée",
            "failed": "échec",
        },
        validated=VALIDATED,
        rejected=REJECTED,
    )


@bp.post("/admin/login")
def admin_login() -> WerkzeugResponse:
    _check_csrf()
    secret = request.form.get("token", "").strip()
    with current_app.extensions["read_sessions"]() as db:
        caller = authenticate(db, f"Bearer {secret}") if secret else None
    if caller is None or caller.role != "admin":
        flash("Ce jeton n'est pas un jeton d'administration valide.", "error")
        return redirect(url_for("yearend_pages.admin"))
    session.clear()
    session.permanent = True
    session["admin"] = token_digest(secret)
    session["csrf"] = secrets.token_urlsafe(24)
    return redirect(url_for("yearend_pages.admin"))


@bp.post("/admin/logout")
def admin_logout() -> WerkzeugResponse:
    _check_csrf()
    session.clear()
    return redirect(url_for("yearend_pages.admin"))


def _require_admin() -> Caller:
    caller = admin_caller()
    if caller is None:
        abort(401)
    _check_csrf()
    return caller


@bp.post("/admin/consolidations")
def admin_consolidate() -> WerkzeugResponse:
    _require_admin()
    first, last = year_range()
    year_text = request.form.get("year", "")
    if not year_text.isdigit() or not first <= int(year_text) <= last:
        flash(f"L'année doit être comprise entre {first} et {last}.", "error")
        return redirect(url_for("yearend_pages.admin"))
    job, created = queue_consolidation(int(year_text))
    if not created:
        flash(f"Une consolidation de {job.year} est déjà en cours : suivi ci-dessous.", "info")
    return redirect(url_for("yearend_pages.admin", year=job.year, job=job.id))


@bp.post("/admin/declarations/<int:year>/<structure_id>/<verdict>")
def admin_decide(year: int, structure_id: str, verdict: str) -> WerkzeugResponse:
    caller = _require_admin()
    if verdict not in ("validate", "reject"):
        abort(404)
    reason = request.form.get("reason", "").strip() or None
    try:
        with current_app.extensions["sessions"].begin() as db:
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
    return redirect(url_for("yearend_pages.admin", year=year))
