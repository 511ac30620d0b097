"""The frozen report as a French page, ``/rapports/{year}`` (printable on A4).

The page shows the stored document of a version (the latest by default): its
sections, a few bar charts computed from its figures alone, the reconciliation
with the live counters and what changed since the previous version.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from flask import render_template

from services.web.db import read_session
from services.web.formatting import format_percent, format_value
from services.web.http import ApiError
from services.web.layout import json_script
from services.web.parameters import INT32_MAX, optional, parse_integer, parse_year
from shared.consolidation.reports import read_report, report_versions
from shared.labels import LABELS, Format
from shared.regions import REGIONS
from shared.report import SECTIONS


def _format_of(key: str) -> Format:
    # A key of an older version may have left the labels: shown as a number.
    return LABELS[key].format if key in LABELS else "number"


def _bars(figures: dict[str, Any], keys: tuple[str, ...], total: float) -> list[dict[str, Any]]:
    """Rows of a horizontal bar chart: label, value, share of ``total`` (0..1) and its text."""
    return [
        {
            "key": key,
            "label": LABELS[key].label,
            "value": figures[key],
            "text": format_value(figures[key], LABELS[key].format),
            "share": (figures[key] / total) if total else 0.0,
            "share_text": format_percent((figures[key] / total) if total else 0.0, 1),
        }
        for key in keys
    ]


def charts_of(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """The report's charts, computed from its figures only.

    Each is a bar per row, its length the row's share of a total; ``share_column`` says
    whether the values table shows that share beside the value (not when the value is
    itself the share).
    """
    interviewed = figures["youths_interviewed"]
    exits = figures["civis_exits"]
    funding = figures["funding_total"]
    return [
        {
            "title": "Accès à l'emploi et à la formation des jeunes reçus en entretien",
            "rows": _bars(
                figures,
                (
                    "youths_with_access",
                    "youths_employment",
                    "youths_subsidized_or_work_study",
                    "youths_training",
                ),
                interviewed,
            ),
            "note": "en proportion des jeunes reçus en entretien individuel",
            "share_column": True,
        },
        {
            "title": "Sorties du CIVIS selon le motif",
            "rows": _bars(
                figures,
                (
                    "civis_exits_durable_employment",
                    "civis_exits_non_durable_employment",
                    "civis_exits_training",
                    "civis_exits_other",
                ),
                exits,
            ),
            "note": "en proportion des jeunes sortis du CIVIS",
            "share_column": True,
        },
        {
            "title": "Répartition du financement",
            "rows": _bars(
                figures, ("funding_main", "funding_specific", "funding_managed_funds"), funding
            ),
            "note": "en proportion du financement total",
            "share_column": True,
        },
        {
            "title": "Part de chaque financeur",
            "rows": _bars(
                figures,
                tuple(key for key in LABELS if key.startswith("funder_share_")),
                1.0,
            ),
            "note": "financement principal et spécifique",
            "share_column": False,
        },
    ]


def charts_data(charts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What static/rapport.js draws: per chart, its bars in percent and their texts."""
    return [
        {
            "title": chart["title"],
            "labels": [row["label"] for row in chart["rows"]],
            "percents": [round(100 * row["share"], 2) for row in chart["rows"]],
            "texts": [row["text"] for row in chart["rows"]],
            "shares": [row["share_text"] for row in chart["rows"]],
        }
        for chart in charts
    ]


def report_page(year: str) -> tuple[str, int]:
    try:
        number = parse_year(year)
        version_text = optional("version")
        version = None if version_text is None else parse_integer(version_text, "", 1, INT32_MAX)
    except ApiError:
        message = "L'année ou la version demandée n'est pas valide."
        raise ApiError(400, "invalid_parameter", message) from None
    with read_session() as db:
        report = read_report(db, number, version)
        versions = report_versions(db, number)
    if report is None:
        return render_template(
            "rapport.html", year=number, document=None, versions=versions, requested=version
        ), 404
    document = msgspec.json.decode(report.document)
    figures = document["figures"]
    sections = [
        (
            title,
            [
                (key, LABELS[key].label, format_value(figures[key], LABELS[key].format))
                for key in keys
            ],
        )
        for title, keys in SECTIONS
    ]
    diff = document["previous_version_diff"]
    changes = [
        {
            "label": LABELS[key].label if key in LABELS else key,
            "previous": format_value(change["previous"], _format_of(key)),
            "current": format_value(change["current"], _format_of(key)),
        }
        for key, change in (diff or {}).items()
    ]
    differences = document["reconciliation"]["differences"]
    charts = charts_of(figures)
    return render_template(
        "rapport.html",
        year=number,
        document=document,
        consolidated_at=dt.datetime.fromisoformat(document["consolidated_at"]),
        sections=sections,
        charts=charts,
        charts_json=json_script(charts_data(charts)),
        changes=changes,
        first_version=diff is None,
        differences=differences,
        labels={key: label.label for key, label in LABELS.items()},
        versions=versions,
        sha256=report.sha256,
        regions=REGIONS,
    ), 200
