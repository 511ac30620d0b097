"""The dashboard's view as data: ``/donnees.json`` (the refresh call) and ``/export.csv``.

- ``GET /donnees.json`` — the view as JSON: one request per refresh instead of three
  API calls. The values come both raw (for the charts) and formatted the French way
  by the server (so a refresh never changes how an unchanged figure looks).
- ``GET /export.csv`` — the view for a spreadsheet: the scope's total, then one line
  per breakdown row (or per month with ``view=month``). French headers, ``;`` as
  separator, decimal comma and a UTF-8 byte-order mark: what French Excel opens
  correctly with a double click. A withheld value (statistical confidentiality) is the
  page's mark as text (``s``, secret statistique), and a last line says what it means.

Both are built for an edition of the dashboard (view.py): the public one here, the exact
one under ``/chiffres-exacts`` (exact.py).
"""

from __future__ import annotations

import csv
import io
from typing import Any

import msgspec
from flask import Response

from services.web.db import snapshot_session
from services.web.live.view import PUBLIC, Edition, edition_view, page_error, read_filters
from services.web.parameters import optional
from shared.figures import FIGURE_KEYS
from shared.labels import LABELS
from shared.spreadsheets import BOM, SEPARATOR, inert, spreadsheet_number


def current_view(edition: Edition = PUBLIC) -> dict[str, Any]:
    filters = read_filters()
    with snapshot_session() as session:
        return edition_view(session, filters, edition)


def view_json(edition: Edition = PUBLIC) -> Response:
    return Response(msgspec.json.encode(current_view(edition)), mimetype="application/json")


def _csv_value(key: str, value: int | float | None, mark: str) -> str:
    if value is None:
        return mark  # text: "s" is no number, and no formula either
    return spreadsheet_number(value, percent=key == "access_rate")


def view_csv(view: dict[str, Any], by_month: bool) -> str:
    """The view as CSV text: the scope's total first, then one line per row.

    The names (a structure's comes from the registry) are made inert for spreadsheets
    (shared/spreadsheets.py); the figures, formatted here from numbers, are numbers.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=SEPARATOR, lineterminator="\r\n")
    confidentiality = view["confidentiality"]
    mark = "" if confidentiality is None else confidentiality["mark"]
    if by_month:
        first = "Mois"
        rows = view["months"]["rows"]
        total_label = f"Année {view['year']} — {view['months']['within']}"
        total = None if view["scope"]["level"] == "structure" else view["figures"]
    else:
        first = "Région" if view["breakdown"]["by"] == "region" else "Structure"
        rows = view["breakdown"]["rows"]
        total_label = f"Ensemble — {view['breakdown']['within'] or 'France entière'}"
        total = None if view["scope"]["level"] == "structure" else view["figures"]
    writer.writerow(["Année", first, "Code", *(LABELS[k].csv_header for k in FIGURE_KEYS)])
    if total is not None:
        writer.writerow(
            [
                view["year"],
                inert(total_label),
                "",
                *(_csv_value(k, total[k], mark) for k in FIGURE_KEYS),
            ]
        )
    for row in rows:
        figures = row["figures"]
        writer.writerow(
            [
                view["year"],
                inert(row["label"]),
                inert(row["key"]),
                *(_csv_value(k, figures[k], mark) for k in FIGURE_KEYS),
            ]
        )
    if confidentiality is not None:
        # After the table, as statistical tables print their notes: the mark's meaning.
        writer.writerow([inert(confidentiality["note"])])
    return out.getvalue()


def export_name(view: dict[str, Any], by_month: bool) -> str:
    scope = view["scope"]
    parts = ["chiffres-cles", str(view["year"])]
    if scope["id"]:
        parts.append(f"{scope['level']}-{scope['id']}")
    parts.append("mois" if by_month else "repartition")
    return "_".join(parts) + ".csv"


def export_csv(edition: Edition = PUBLIC) -> Response:
    view_name = optional("view") or "breakdown"
    if view_name not in ("breakdown", "month"):
        raise page_error("invalid_view", 400)
    view = current_view(edition)
    by_month = view_name == "month"
    body = BOM + view_csv(view, by_month)
    # A text/* mimetype gets "; charset=utf-8" from Werkzeug: the encoding used here.
    response = Response(body.encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{export_name(view, by_month)}"'
    )
    return response
