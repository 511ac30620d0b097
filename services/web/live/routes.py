"""The URLs of the live figures: the JSON API, the dashboard page and its data."""

from __future__ import annotations

from flask import Blueprint

from services.web.live import api, data, page, regions_map, series

bp = Blueprint("live", __name__, template_folder="templates")
bp.add_url_rule("/v1/figures", view_func=api.get_figures)
bp.add_url_rule("/v1/figures/breakdown", view_func=api.get_breakdown)
bp.add_url_rule("/v1/figures/series", view_func=series.get_series)
bp.add_url_rule("/", view_func=page.index)
bp.add_url_rule("/donnees.json", view_func=data.view_json)
bp.add_url_rule("/export.csv", view_func=data.export_csv)
bp.add_url_rule("/carte/regions.svg", view_func=regions_map.regions_svg)
