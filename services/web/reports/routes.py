"""The URLs of the frozen reports: the API (SPEC §5: ``api_bp``, answers and refuses in JSON)
and the public pages (``bp``)."""

from __future__ import annotations

from services.http.answers import JsonBlueprint, PageBlueprint
from services.web.reports import api, pages

bp = PageBlueprint("reports", __name__, template_folder="templates")
api_bp = JsonBlueprint("reports_api", __name__)
api_bp.add_url_rule("/v1/reports/<year>.csv", view_func=api.get_report_csv)
api_bp.add_url_rule("/v1/reports/<year>", view_func=api.get_report)
bp.add_url_rule("/rapports", view_func=pages.report_list)
bp.add_url_rule("/rapports/<year>", view_func=pages.report_page)
