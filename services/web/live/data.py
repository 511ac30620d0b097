"""The dashboard's document as data: ``/donnees.json`` (the refresh call) and ``/export.csv``.

- ``GET /donnees.json`` — the document (dashboard.py) as JSON: one request per refresh
  instead of three API calls. The values come both raw (for the charts) and formatted the French way
  by the server (so a refresh never changes how an unchanged figure looks).
- ``GET /export.csv`` — its tables for a spreadsheet: the table's total, then one line
  per breakdown row (or per month of the scope with ``view=month``). French headers, ``;``
  as separator, decimal comma and a UTF-8 byte-order mark: what French Excel opens
  correctly with a double click. The table's scope is in the file's name and in a column
  of every line (the header stays on the first), so that a file or a line read alone says
  what it covers. A withheld value (statistical confidentiality) is the page's mark as
  text (``s``, secret statistique), and a last line says what it means; a rate without
  denominator "n.d.".

Both are built for an edition of the dashboard (filters.py): the public one here, the exact
one under ``/chiffres-exacts`` (exact.py).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import msgspec
from flask import Response

from services.web.db import snapshot_session
from services.web.formatting import NOT_AVAILABLE
from services.web.live.dashboard import Dashboard, dashboard_for
from services.web.live.filters import PUBLIC, Edition, page_error, read_filters
from services.web.live.tables import Row, Shown
from services.web.parameters import optional
from shared.figures import FIGURE_KEYS, rate_undefined
from shared.publication.labels import LABELS
from shared.publication.spreadsheets import BOM, SEPARATOR, inert, spreadsheet_number
from shared.regions import REGIONS


def current_dashboard(edition: Edition = PUBLIC) -> Dashboard:
    filters = read_filters()
    with snapshot_session() as session:
        return dashboard_for(session, filters, edition)


def dashboard_json(edition: Edition = PUBLIC) -> Response:
    return Response(msgspec.json.encode(current_dashboard(edition)), mimetype="application/json")


def _csv_value(key: str, values: Shown, mark: str) -> str:
    value = values[key]
    if value is None:
        return mark  # text: "s" is no number, and no formula either
    if rate_undefined(values, key):
        return NOT_AVAILABLE
    return spreadsheet_number(value, percent=key == "access_rate")


def table_scope(dashboard: Dashboard, by_month: bool) -> tuple[str, str]:
    """The scope a CSV table covers: its name in a file name, and in words. The months are
    the dashboard's scope's; the breakdown is its region's (a structure's too) or the nation's."""
    scope = dashboard.scope
    if by_month and scope.level == "structure":
        return f"structure-{scope.id}", f"{scope.label} (structure {scope.id})"
    region = scope.region
    if region:
        return f"region-{region}", f"{REGIONS[region]} (région {region})"
    return "france-entiere", "France entière"


def dashboard_csv(dashboard: Dashboard, by_month: bool) -> str:
    """A table of the dashboard as CSV text: the table's total first, then one line per row,
    each with the table's scope.

    The names (a structure's comes from the registry) are made inert for spreadsheets
    (shared/publication/spreadsheets.py); the figures, formatted here from numbers, are numbers.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=SEPARATOR, lineterminator="\r\n")
    confidentiality = dashboard.confidentiality
    mark = "" if confidentiality is None else confidentiality.mark
    _, within = table_scope(dashboard, by_month)
    rows: Sequence[Row]
    if by_month:
        first = "Mois"
        rows = dashboard.months.rows
        total_label = f"Année {dashboard.year} — {dashboard.months.within}"
        total = dashboard.figures
    else:
        breakdown = dashboard.breakdown
        first = "Région" if breakdown.by == "region" else "Structure"
        rows = breakdown.rows
        total_label = breakdown.total.label
        total = breakdown.total.figures
    headers = (LABELS[k].csv_header for k in FIGURE_KEYS)
    writer.writerow(["Année", "Périmètre", first, "Code", *headers])
    lines = [
        (total_label, "", total),
        *((row.label, row.key, row.figures) for row in rows),
    ]
    for label, key, figures in lines:
        values = (_csv_value(k, figures, mark) for k in FIGURE_KEYS)
        writer.writerow([dashboard.year, inert(within), inert(label), inert(key), *values])
    if confidentiality is not None:
        # After the table, as statistical tables print their notes: the mark's meaning.
        writer.writerow([inert(confidentiality.note)])
    return out.getvalue()


def export_name(dashboard: Dashboard, by_month: bool) -> str:
    """``chiffres-cles_2007_region-11_mois.csv``: the year, the table's scope, the table."""
    scope, _ = table_scope(dashboard, by_month)
    table = "mois" if by_month else "repartition"
    return f"chiffres-cles_{dashboard.year}_{scope}_{table}.csv"


def export_csv(edition: Edition = PUBLIC) -> Response:
    # ``view``: the URL's word for the table exported, kept as it is.
    table = optional("view") or "breakdown"
    if table not in ("breakdown", "month"):
        raise page_error("invalid_view", 400)
    dashboard = current_dashboard(edition)
    by_month = table == "month"
    body = BOM + dashboard_csv(dashboard, by_month)
    # A text/* mimetype gets "; charset=utf-8" from Werkzeug: the encoding used here.
    response = Response(body.encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{export_name(dashboard, by_month)}"'
    )
    return response
