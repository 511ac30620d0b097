"""The French page ``/``: the live key figures of a year, laid out like the 2007 report.

The server renders everything (figures, tables, definitions) so the page reads
without JavaScript, on a phone and on paper. A small script (static/dashboard.js)
then draws the charts with Chart.js and polls ``/donnees.json`` every few seconds
to refresh the figures in place; the filters live in the URL, so what it shows is a link.

The same page, for the signed-in, in exact figures: ``/chiffres-exacts`` (exact.py); the
public one links to it while statistical confidentiality is on.
"""

from __future__ import annotations

import itertools
from typing import Any

from flask import current_app, render_template, url_for
from markupsafe import Markup, escape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.http.errors import ApiError
from services.web.db import snapshot_session
from services.web.formatting import alphabetical
from services.web.layout import json_script
from services.web.live import public
from services.web.live.choropleth import map_context
from services.web.live.dashboard import BLOCKS, Dashboard, dashboard_for
from services.web.live.filters import PUBLIC, Edition, Filters, read_filters
from services.web.live.profiles import COLUMNS as PROFILE_COLUMNS
from services.web.live.tables import COLUMNS
from services.web.parameters import optional, year_choices
from shared.figures import FIGURE_KEYS
from shared.pipeline.live import years_with_data
from shared.publication.labels import LABELS
from shared.regions import REGIONS
from shared.storage.models.registry import Structure
from shared.times import paris_today

# Milliseconds between two refreshes of the figures.
REFRESH_MS = 5000

# What static/dashboard.js names the charts' bars (short) and legends (header) with.
CHART_LABELS = json_script(
    {key: {"short": LABELS[key].short, "header": LABELS[key].csv_header} for key in FIGURE_KEYS}
)


def sort_links(filters: Filters, edition: Edition = PUBLIC) -> dict[str, dict[str, str]]:
    """For each sortable column: the link that sorts by it, and its ``aria-sort`` state."""
    links = {}
    for key in ("label", *(k for k, _ in COLUMNS)):
        if key == filters.sort:
            state = "ascending" if filters.order == "asc" else "descending"
            order = "desc" if filters.order == "asc" else "asc"
        else:
            # Names read A→Z first; figures biggest first.
            state, order = "none", "asc" if key == "label" else "desc"
        href = url_for(edition.page, **filters.args(sort=key, order=order)) + "#repartition"
        links[key] = {"href": href, "state": state}
    return links


def structure_options(session: Session, selected: str | None) -> Markup:
    """The structure select's ``<optgroup>``s, by region, with ``selected`` marked.

    Rendering ~490 escaped options is most of the page's cost, so the HTML is kept
    until the registry changes (its size or its last update, one cheap query).
    """
    version = session.execute(select(func.count(), func.max(Structure.updated_at))).one()
    cached = current_app.extensions.get("structure_options")
    if cached is None or cached[0] != tuple(version):
        # Regions, then structures, in French alphabetical order, as in the region select.
        rows = sorted(
            session.execute(select(Structure.structure_id, Structure.name, Structure.region)),
            key=lambda row: (
                alphabetical(REGIONS.get(row.region, row.region)),
                alphabetical(row.name),
            ),
        )
        groups = []
        for code, members in itertools.groupby(rows, key=lambda row: row.region):
            options = "".join(
                f'<option value="{escape(row.structure_id)}">{escape(row.name)}</option>'
                for row in members
            )
            label = escape(REGIONS.get(code, code))
            groups.append(f'<optgroup label="{label}">{options}</optgroup>')
        cached = (tuple(version), "".join(groups))
        current_app.extensions["structure_options"] = cached
    html = cached[1]
    if selected:
        value = f'<option value="{escape(selected)}">'
        html = html.replace(value, value[:-1] + " selected>", 1)
    return Markup(html)


def map_and_trends(
    session: Session, filters: Filters, dashboard: Dashboard, edition: Edition = PUBLIC
) -> dict[str, Any]:
    """What templates/_map.html and _trends.html show beside the figures: the map of the
    regions (its region highlighted — a structure's own; its links to the edition's page)
    and the scope's years (the dashboard's: exact in the exact edition, else what the public
    may see)."""
    regions_map = map_context(
        session, filters, dashboard.scope.region, edition.page, exact=edition.exact
    )
    trends = dashboard.trends
    return {
        "regions_map": regions_map,
        "regions_map_json": json_script(regions_map),
        "trends": trends,
        "trends_json": json_script(trends.chart),
    }


def index(edition: Edition = PUBLIC) -> tuple[str, int]:
    context: dict[str, Any] = {
        "edition": edition,
        "page_url": url_for(edition.page),
        # The rule is on: the public page says where the exact figures are, the exact one
        # that they must not be republished.
        "min_count": public.min_count(),
        "blocks": BLOCKS,
        "definitions": LABELS,
        "columns": COLUMNS,
        "profile_columns": PROFILE_COLUMNS,
        "regions": sorted(REGIONS.items(), key=lambda item: alphabetical(item[1])),
        "years": [],
        "region": optional("region"),
        "structure": optional("structure"),
        "year": optional("year"),
        "dashboard": None,
        "error": None,
        "refresh_ms": REFRESH_MS,
    }
    status = 200
    with snapshot_session() as session:
        with_data = years_with_data(session)
        context["years"] = year_choices(paris_today().year, with_data)
        try:
            filters = read_filters()
            dashboard = dashboard_for(session, filters, edition)
        except ApiError as exc:
            status = exc.status
            context["error"] = exc.message
            selected = optional("structure")
        else:
            selected = filters.structure
            args = filters.args()
            context.update(
                filters=filters,
                year=filters.year,
                years=year_choices(filters.year, with_data),
                # A structure's region shows in the Région select (the structure still wins).
                region=dashboard.scope.region,
                structure=filters.structure,
                dashboard=dashboard,
                dashboard_json=json_script(dashboard),
                chart_labels=CHART_LABELS,
                data_url=url_for(edition.data, **args),
                csv_url=url_for(edition.export, **args),
                csv_month_url=url_for(edition.export, **args, view="month"),
                csv_profile_url=url_for(edition.export, **args, view="profile"),
                exact_url=url_for("live.exact_index", **args),
                public_url=url_for("live.index", **args),
                sorts=sort_links(filters, edition),
                **public.for_edition(
                    session,
                    ("map and trends", filters, edition.page),
                    lambda: map_and_trends(session, filters, dashboard, edition),
                    exact=edition.exact,
                ),
            )
        context["structure_options"] = structure_options(session, selected)
    return render_template("index.html", **context), status
