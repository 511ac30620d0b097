"""The frozen reports (SPEC §5): ``GET /v1/reports/{year}[.csv][?version=n]``.

A version is served exactly as it was stored: the bytes whose SHA-256 was
recorded when it was frozen (``X-Report-SHA256``) — except to a reader without a token while
statistical confidentiality is on, who gets its profile rows protected (SPEC §5: they follow the
live edition's confidentiality), without that header.
"""

from __future__ import annotations

from typing import Any

import msgspec
from flask import Response

from services.http.errors import ApiError
from services.web.db import read_session
from services.web.live import public
from services.web.parameters import INT32_MAX, given, parse_year, query_integer
from services.web.reports.field import ReportField
from shared.profiles import DIMENSIONS
from shared.publication.published_profiles import read_published_profiles
from shared.publication.spreadsheets import BOM
from shared.report.document import report_csv
from shared.report.profiles import protected_profiles
from shared.report.versions import read_report
from shared.scopes import NATIONAL
from shared.storage.models.consolidation import Report


def requested_report(year_text: str) -> Report:
    """The report version the ``version`` parameter names (the latest by default), or a 404."""
    year = parse_year(year_text)
    version = query_integer("version", 1, INT32_MAX)
    with read_session() as session:
        report = read_report(session, year, version)
    if report is None:
        which = f"version {version} of the {year} report" if version else f"report for {year}"
        raise ApiError(404, "not_found", f"no {which} (see POST /v1/consolidations)")
    return report


def _frozen(report: Report, body: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["X-Report-SHA256"] = report.sha256
    if given("version") is None:
        # "The latest version" moves with the next consolidation.
        response.headers["Cache-Control"] = "no-cache"
    else:
        # Frozen: a version's representation never changes.
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def for_reader(report: Report) -> dict[str, Any] | None:
    """The report as this reader may see it, if not as stored: without a token while
    statistical confidentiality is on, its profile rows protected and withheld at least where
    the latest edition withholds the year's national profile cells (shared/report/profiles.py)."""
    if public.exact_reader():
        return None
    public.current_edition()  # published first if there is none yet
    with read_session() as session:
        edition = {
            dimension: {
                category: keys
                for category, (_, keys) in read_published_profiles(
                    session, report.year, NATIONAL, dimension
                ).items()
            }
            for dimension in DIMENSIONS
        }
    document: dict[str, Any] = msgspec.json.decode(report.document)
    return protected_profiles(document, public.min_count(), edition)


def get_report(year: str) -> Response:
    report = requested_report(year)
    shown = for_reader(report)
    if shown is not None:
        # Not the frozen bytes: no hash of them, and a cache must key by the token.
        response = Response(msgspec.json.encode(shown), mimetype="application/json")
        response.headers["Cache-Control"] = "no-cache"
        return public.keep_audiences_apart(response)
    # The stored text is served as is: the bytes whose SHA-256 was recorded at freezing.
    return public.keep_audiences_apart(_frozen(report, report.document, "application/json"))


def get_report_csv(year: str) -> Response:
    report = requested_report(year)
    # For people (a spreadsheet): French, with the byte-order mark Excel needs; the JSON
    # above stays the machines' (and the frozen bytes).
    document = for_reader(report) or msgspec.json.decode(report.document)
    field = ReportField.of(document)
    body = BOM + report_csv(document, field.summary)
    response = _frozen(report, body, "text/csv")
    # A provisional report says so in its file's name too.
    status = "-provisoire" if field.provisional else ""
    filename = f"bilan-{report.year}-v{report.version}{status}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return public.keep_audiences_apart(response)
