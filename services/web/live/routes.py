"""The URLs of the live figures: the JSON API and the dashboard's data (``data_bp``: answers and
refuses in JSON), the dashboard page and the map (``bp``: pages), and the same in exact
figures for the signed-in (``/chiffres-exacts``, a path the sign-in cookie is sent to)."""

from __future__ import annotations

from services.http.answers import JsonBlueprint, PageBlueprint
from services.web.live import api, data, exact, page, regions_map, series
from services.web.live.conditional import conditional

bp = PageBlueprint("live", __name__, template_folder="templates")
data_bp = JsonBlueprint("live_data", __name__)
# Conditional reads (ETag, 304, Cache-Control public): see conditional.py.
data_bp.add_url_rule("/v1/figures", view_func=conditional(keep=True)(api.get_figures))
data_bp.add_url_rule(
    "/v1/figures/breakdown", view_func=conditional(keep=True, pending=False)(api.get_breakdown)
)
data_bp.add_url_rule("/v1/figures/series", view_func=conditional(keep=True)(series.get_series))
bp.add_url_rule("/", view_func=conditional(keep=False)(page.index))
data_bp.add_url_rule("/donnees.json", view_func=conditional(keep=True)(data.dashboard_json))
data_bp.add_url_rule(
    "/export.csv", view_func=conditional(keep=False, pending=False)(data.export_csv)
)
bp.add_url_rule("/carte/regions.svg", view_func=regions_map.regions_svg)
bp.add_url_rule("/chiffres-exacts", view_func=exact.exact_index)
data_bp.add_url_rule("/chiffres-exacts/donnees.json", view_func=exact.exact_dashboard_json)
data_bp.add_url_rule("/chiffres-exacts/export.csv", view_func=exact.exact_export_csv)
