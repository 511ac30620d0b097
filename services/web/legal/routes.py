"""The URLs of the footer's pages (public, the same for every reader)."""

from __future__ import annotations

from flask import current_app, render_template

from services.http.answers import PageBlueprint

bp = PageBlueprint("legal", __name__, template_folder="templates")


@bp.get("/plan-du-site")
def site_plan() -> str:
    return render_template("plan_du_site.html")


@bp.get("/accessibilite")
def accessibility() -> str:
    return render_template("accessibilite.html")


@bp.get("/mentions-legales")
def legal_notice() -> str:
    return render_template("mentions_legales.html")


@bp.get("/donnees-personnelles")
def personal_data() -> str:
    settings = current_app.config["SETTINGS"]
    return render_template(
        "donnees_personnelles.html",
        session_hours=settings.session_hours,
        failure_limit=settings.auth_failure_limit,
        retention_years=settings.retention_years,
        audit_days=settings.audit_retention_days,
    )
