"""The frozen reports as French pages: ``/rapports`` (every year with a frozen report, its
versions and their dates) and ``/rapports/{year}`` (one version, printable on A4).

The report's page shows the stored document of a version (the latest by default): the
key figures laid out like the 2007 "Chiffres clés" page (key_figures.py), each with its
change from the previous year's frozen report (its latest version), the profile of the first
receptions (profiles.py; withheld from a reader without a token while confidentiality is
on), a few bar charts, the completeness of the declarations, what changed since the previous
version and the reconciliation with the live counters. The staff and funding figures say
what they cover, and a provisional report says it is one (field.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from flask import render_template

from services.http.errors import ApiError
from services.web.db import read_session
from services.web.formatting import NOT_AVAILABLE, format_value
from services.web.layout import json_script
from services.web.parameters import INT32_MAX, optional, parse_integer, parse_year
from services.web.reports.api import for_reader
from services.web.reports.field import ReportField
from services.web.reports.key_figures import charts_data, charts_of, key_blocks, year_changes
from services.web.reports.profiles import profile_block
from shared.publication.labels import LABELS, Format
from shared.regions import REGIONS
from shared.report.versions import read_report, report_versions, reports_by_year


def _format_of(key: str) -> Format:
    # A key of an older version may have left the labels: shown as a number.
    return LABELS[key].format if key in LABELS else "number"


def _shown(value: Any, key: str) -> str:
    """A figure of a version's changes as the page prints it ("n.d." for a null one)."""
    return NOT_AVAILABLE if value is None else format_value(value, _format_of(key))


def report_list() -> str:
    """Every year with a frozen report, newest first, with its versions, their dates and
    completeness (a provisional one says so)."""
    with read_session() as db:
        found = reports_by_year(db)
    years = [
        (
            year,
            [
                (v.version, v.consolidated_at, ReportField.of_version(v.completeness))
                for v in versions
            ],
        )
        for year, versions in found
    ]
    return render_template("rapports.html", years=years)


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
        # The previous year's latest version, whichever version of this year is shown.
        previous = read_report(db, number - 1)
    if report is None:
        return render_template(
            "rapport.html", year=number, document=None, versions=versions, requested=version
        ), 404
    # A reader without a token while confidentiality is on: its profile rows withheld.
    document = for_reader(report) or msgspec.json.decode(report.document)
    figures = document["figures"]
    diff = document["previous_version_diff"]
    changes = [
        {
            "label": LABELS[key].label if key in LABELS else key,
            "previous": _shown(change["previous"], key),
            "current": _shown(change["current"], key),
        }
        for key, change in (diff or {}).items()
    ]
    field = ReportField.of(document)
    charts = charts_of(figures, field)
    before = None if previous is None else msgspec.json.decode(previous.document)
    return render_template(
        "rapport.html",
        year=number,
        document=document,
        field=field,
        consolidated_at=dt.datetime.fromisoformat(document["consolidated_at"]),
        blocks=key_blocks(number, figures, field),
        profiles=profile_block(document),
        charts=charts,
        charts_json=json_script(charts_data(charts)),
        changes=changes,
        year_changes=year_changes(
            figures,
            None if before is None else before["figures"],
            field,
            None if before is None else ReportField.of(before),
        ),
        previous_report=before,
        previous_at=None
        if before is None
        else dt.datetime.fromisoformat(before["consolidated_at"]),
        first_version=diff is None,
        differences=document["reconciliation"]["differences"],
        labels={key: label.label for key, label in LABELS.items()},
        versions=versions,
        latest=versions[-1][0] if versions else None,
        sha256=report.sha256,
        regions=REGIONS,
    ), 200
