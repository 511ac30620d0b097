"""The URLs of the frozen reports: the API (SPEC §5) and the public pages."""

from __future__ import annotations

from flask import Blueprint

from services.web.reports import api, pages

bp = Blueprint("reports", __name__, template_folder="templates")

bp.add_url_rule("/v1/reports/<year>.csv", view_func=api.get_report_csv)
bp.add_url_rule("/v1/reports/<year>", view_func=api.get_report)

bp.add_url_rule("/rapports", view_func=pages.report_list)
bp.add_url_rule("/rapports/<year>", view_func=pages.report_page)
