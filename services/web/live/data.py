"""The dashboard's document as data: ``/donnees.json`` (the refresh call) and ``/export.csv``.

- ``GET /donnees.json`` — the document (dashboard.py) as JSON: one request per refresh
  instead of three API calls. The values come both raw (for the charts) and formatted the French way
  by the server (so a refresh never changes how an unchanged figure looks).
- ``GET /export.csv`` — its tables for a spreadsheet: the table's total, then one line
  per breakdown row (or per month of the scope with ``view=month``); with ``view=profile``,
  the profile section's (profiles.py): per dimension, each category's accompanied youths and
  first receptions, counts and shares, then the dimension's total. French headers, ``;``
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
from services.web.formatting import NOT_AVAILABLE, WITHHELD
from services.web.live.dashboard import Dashboard, dashboard_for
from services.web.live.filters import PUBLIC, Edition, page_error, read_filters
from services.web.live.profiles import SECTION_FIGURES, SHARE
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


def table_scope(dashboard: Dashboard, own_scope: bool) -> tuple[str, str]:
    """The scope a CSV table covers: its name in a file name, and in words. The months and
    the profiles are the dashboard's scope's (``own_scope``); the breakdown is its region's (a
    structure's too) or the nation's."""
    scope = dashboard.scope
    if own_scope and scope.level == "structure":
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


def profiles_csv(dashboard: Dashboard) -> str:
    """The profile section as CSV text: per dimension, one line per category, then the
    dimension's total, each with the dashboard's scope; counts and shares (in %) of the
    accompanied youths and the first receptions, the mark where withheld, "n.d." for a share
    of a zero total. After the table, what the marks mean — and, when the profiles are
    withheld whole, why (profiles.py)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=SEPARATOR, lineterminator="\r\n")
    _, within = table_scope(dashboard, own_scope=True)
    profiles = dashboard.profiles
    headers = []
    for key in SECTION_FIGURES:
        name = LABELS[key].csv_header
        headers += [name, f"Part des {name[0].lower()}{name[1:]} (%)"]
    writer.writerow(["Année", "Périmètre", "Répartition", "Catégorie", "Code", *headers])
    for table in profiles.tables:
        for row in (*table.rows, table.total):
            values = []
            for key in SECTION_FIGURES:
                count, percent = row.counts[key], row.percents[key]
                values.append(row.display[key] if count is None else str(count))
                share = row.display[key + SHARE]
                values.append(share if percent is None else f"{percent:.1f}".replace(".", ","))
            writer.writerow(
                [dashboard.year, inert(within), table.title, row.label, row.key, *values]
            )
    confidentiality = dashboard.confidentiality
    if profiles.note is not None:
        writer.writerow([inert(profiles.note)])
    if confidentiality is not None and WITHHELD in profiles.marks:
        writer.writerow([inert(confidentiality.note)])
    return out.getvalue()


# ``view``: the URL's word for the table exported, kept as it is; its word in the file's name.
TABLES = {"breakdown": "repartition", "month": "mois", "profile": "profil"}


def export_name(dashboard: Dashboard, table: str) -> str:
    """``chiffres-cles_2007_region-11_mois.csv``: the year, the table's scope, the table."""
    scope, _ = table_scope(dashboard, table != "breakdown")
    return f"chiffres-cles_{dashboard.year}_{scope}_{TABLES[table]}.csv"


def export_csv(edition: Edition = PUBLIC) -> Response:
    table = optional("view") or "breakdown"
    if table not in TABLES:
        raise page_error("invalid_view", 400)
    dashboard = current_dashboard(edition)
    if table == "profile":
        text = profiles_csv(dashboard)
    else:
        text = dashboard_csv(dashboard, table == "month")
    body = BOM + text
    # A text/* mimetype gets "; charset=utf-8" from Werkzeug: the encoding used here.
    response = Response(body.encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{export_name(dashboard, table)}"'
    )
    return response
