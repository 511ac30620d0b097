"""The frozen reports (SPEC §5): ``GET /v1/reports/{year}[.csv][?version=n]``.

A version is served exactly as it was stored: the bytes whose SHA-256 was
recorded when it was frozen (``X-Report-SHA256``).
"""

from __future__ import annotations

import msgspec
from flask import Response

from services.http.errors import ApiError
from services.web.db import read_session
from services.web.parameters import INT32_MAX, given, parse_year, query_integer
from services.web.reports.field import ReportField
from shared.publication.spreadsheets import BOM
from shared.report.document import report_csv
from shared.report.versions import read_report
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


def get_report(year: str) -> Response:
    report = requested_report(year)
    # The stored text is served as is: the bytes whose SHA-256 was recorded at freezing.
    return _frozen(report, report.document, "application/json")


def get_report_csv(year: str) -> Response:
    report = requested_report(year)
    # For people (a spreadsheet): French, with the byte-order mark Excel needs; the JSON
    # above stays the machines' (and the frozen bytes).
    document = msgspec.json.decode(report.document)
    field = ReportField.of(document)
    body = BOM + report_csv(document, field.summary)
    response = _frozen(report, body, "text/csv")
    # A provisional report says so in its file's name too.
    status = "-provisoire" if field.provisional else ""
    filename = f"bilan-{report.year}-v{report.version}{status}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
