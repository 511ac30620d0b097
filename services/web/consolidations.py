"""Consolidation jobs and frozen reports (SPEC §5).

``POST /v1/consolidations`` (admin) queues a job and sends it to the workers by
task name (the web service never imports services/aggregate);
``GET /v1/consolidations/{id}`` follows it; ``GET /v1/reports/{year}[.csv]``
serves a frozen version exactly as it was stored.
"""

from __future__ import annotations

import msgspec
from flask import Blueprint, Response, current_app, request
from sqlalchemy import select

from services.web.declarations import authenticated
from services.web.figures import QueryError, optional, year_range
from services.web.schemas import error_response, json_response
from services.web.yearend_schemas import (
    ConsolidationList,
    ConsolidationRequest,
    ConsolidationStarted,
    consolidation_document,
    consolidation_entry,
)
from shared.consolidation import read_report, start_job
from shared.models import Consolidation, Report
from shared.queue import send_consolidation
from shared.report import report_csv

bp = Blueprint("consolidations", __name__)

_request_decoder = msgspec.json.Decoder(ConsolidationRequest)
HISTORY = 50


def queue_consolidation(year: int) -> tuple[Consolidation, bool]:
    """Create (or find) the year's active job and wake a worker; True when created."""
    # start_job settles a race of two first requests on the one-active-job-per-year index.
    with current_app.extensions["sessions"].begin() as session:
        job, created = start_job(session, year)
    if created:
        send_consolidation(current_app.config["SETTINGS"], job.id)
    return job, created


def check_year(year: int) -> None:
    first, last = year_range()
    if not first <= year <= last:
        raise QueryError(422, "invalid", f"year must be from {first} to {last} - at `$.year`")


@bp.post("/v1/consolidations")
def post_consolidation() -> Response:
    caller = authenticated()
    if caller.role != "admin":
        return error_response(403, "forbidden", f"role {caller.role!r} may not consolidate")
    try:
        body = _request_decoder.decode(request.get_data(cache=False))
    except msgspec.ValidationError as exc:
        return error_response(422, "invalid", str(exc))
    except msgspec.DecodeError as exc:
        return error_response(400, "malformed", f"body is not valid JSON: {exc}")
    check_year(body.year)
    job, _ = queue_consolidation(body.year)
    response = json_response(ConsolidationStarted(id=job.id, year=job.year, status=job.status), 202)
    response.headers["Location"] = f"/v1/consolidations/{job.id}"
    return response


@bp.get("/v1/consolidations/<int:id>")
def get_consolidation(id: int) -> Response:  # noqa: A002 - the path parameter of SPEC §5
    job_id = id
    with current_app.extensions["read_sessions"]() as session:
        job = session.get(Consolidation, job_id)
        if job is None:
            return error_response(404, "not_found", f"no consolidation {job_id}")
        response = json_response(consolidation_document(job))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/v1/consolidations")
def list_consolidations() -> Response:
    statement = select(Consolidation).order_by(Consolidation.id.desc()).limit(HISTORY)
    year = optional("year")
    if year is not None:
        if not year.isdigit():
            raise QueryError(400, "invalid_parameter", "year must be an integer")
        statement = statement.where(Consolidation.year == int(year))
    with current_app.extensions["read_sessions"]() as session:
        jobs = [consolidation_entry(job) for job in session.scalars(statement)]
    response = json_response(ConsolidationList(consolidations=jobs))
    response.headers["Cache-Control"] = "no-store"
    return response


def requested_report(year: int) -> Report:
    """The report version the ``version`` parameter names (the latest by default), or a 404."""
    version_text = optional("version")
    version = None
    if version_text is not None:
        if not version_text.isdigit() or int(version_text) < 1:
            raise QueryError(400, "invalid_parameter", "version must be a positive integer")
        version = int(version_text)
    with current_app.extensions["read_sessions"]() as session:
        report = read_report(session, year, version)
    if report is None:
        which = f"version {version} of the {year} report" if version else f"report for {year}"
        raise QueryError(404, "not_found", f"no {which} (see POST /v1/consolidations)")
    return report


def _frozen(report: Report, body: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["X-Report-SHA256"] = report.sha256
    if optional("version") is None:
        # "The latest version" moves with the next consolidation.
        response.headers["Cache-Control"] = "no-cache"
    else:
        # Frozen: a version's representation never changes.
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@bp.get("/v1/reports/<int:year>")
def get_report(year: int) -> Response:
    report = requested_report(year)
    # The stored text is served as is: the bytes whose SHA-256 was recorded at freezing.
    return _frozen(report, report.document, "application/json")


@bp.get("/v1/reports/<int:year>.csv")
def get_report_csv(year: int) -> Response:
    report = requested_report(year)
    response = _frozen(report, report_csv(msgspec.json.decode(report.document)), "text/csv")
    filename = f"bilan-{year}-v{report.version}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
