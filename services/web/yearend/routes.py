"""The URLs of the year end: declarations, consolidations, frozen reports and their pages."""

from __future__ import annotations

from flask import Blueprint

from services.web.yearend import admin, consolidations, declarations, report_page, reports

bp = Blueprint("yearend", __name__, template_folder="templates")

_DECLARATION = "/v1/declarations/<year>/<structure_id>"
bp.add_url_rule("/v1/declarations/<year>", view_func=declarations.get_declarations)
bp.add_url_rule(_DECLARATION, view_func=declarations.get_declaration)
bp.add_url_rule(_DECLARATION, view_func=declarations.put_declaration, methods=["PUT"])
bp.add_url_rule(
    f"{_DECLARATION}/validate", view_func=declarations.validate_declaration, methods=["POST"]
)
bp.add_url_rule(
    f"{_DECLARATION}/reject", view_func=declarations.reject_declaration, methods=["POST"]
)

bp.add_url_rule("/v1/consolidations", view_func=consolidations.post_consolidation, methods=["POST"])
bp.add_url_rule("/v1/consolidations", view_func=consolidations.list_consolidations)
bp.add_url_rule("/v1/consolidations/<id>", view_func=consolidations.get_consolidation)

bp.add_url_rule("/v1/reports/<year>.csv", view_func=reports.get_report_csv)
bp.add_url_rule("/v1/reports/<year>", view_func=reports.get_report)
bp.add_url_rule("/rapports/<year>", view_func=report_page.report_page)

bp.add_url_rule("/admin", view_func=admin.admin)
bp.add_url_rule("/admin/login", view_func=admin.admin_login, methods=["POST"])
bp.add_url_rule("/admin/logout", view_func=admin.admin_logout, methods=["POST"])
bp.add_url_rule("/admin/consolidations", view_func=admin.admin_consolidate, methods=["POST"])
bp.add_url_rule(
    "/admin/declarations/<year>/<structure_id>/<verdict>",
    view_func=admin.admin_decide,
    methods=["POST"],
)
