"""Consolidation jobs (SPEC §5): start one, follow it, list them.

``POST /v1/consolidations`` (admin) queues a job and sends it to the workers by
task name (the web service never imports services/aggregate);
``GET /v1/consolidations/{id}`` follows it; ``GET /v1/consolidations`` is the history.
"""

from __future__ import annotations

from typing import cast

import msgspec
from flask import Response, current_app
from sqlalchemy import select

from services.http.bearer import require_role
from services.http.bodies import decode_body
from services.http.errors import ApiError, json_response, no_store
from services.web.db import read_session, transaction
from services.web.parameters import parse_id, query_integer, year_range
from services.web.yearend.schemas import (
    ConsolidationList,
    ConsolidationRequest,
    ConsolidationStarted,
    JobStatus,
    consolidation_document,
    consolidation_entry,
)
from shared.access.tokens import Caller
from shared.audit.actions import CONSOLIDATION_ASKED, actor_of, record_action
from shared.consolidation.jobs import ConsolidationRefused, start_job
from shared.pipeline.queue import send_consolidation
from shared.storage.models.consolidation import Consolidation

_request_decoder = msgspec.json.Decoder(ConsolidationRequest)
HISTORY = 50


def queue_consolidation(year: int, caller: Caller) -> tuple[Consolidation, bool]:
    """Create (or find) the year's active job and wake a worker; True when created.
    A year that has not ended: ``ConsolidationRefused``. The audit records the ask."""
    # start_job settles a race of two first requests on the one-active-job-per-year index.
    with transaction() as session:
        job, created = start_job(session, year)
        detail = f"job {job.id}" + ("" if created else " (already queued or running)")
        record_action(session, actor_of(caller), CONSOLIDATION_ASKED, str(year), detail)
    if created:
        send_consolidation(current_app.config["SETTINGS"], job.id)
    return job, created


def recent_jobs(year: int | None = None) -> list[Consolidation]:
    """The latest HISTORY jobs (of one year if given), newest first."""
    statement = select(Consolidation).order_by(Consolidation.id.desc()).limit(HISTORY)
    if year is not None:
        statement = statement.where(Consolidation.year == year)
    with read_session() as session:
        return list(session.scalars(statement))


def post_consolidation() -> Response:
    caller = require_role("admin", action="consolidate")
    body = decode_body(_request_decoder)
    first, last = year_range()
    if not first <= body.year <= last:
        raise ApiError(422, "invalid", f"year must be from {first} to {last} - at `$.year`")
    try:
        job, _ = queue_consolidation(body.year, caller)
    except ConsolidationRefused as exc:
        raise ApiError(409, exc.code, exc.message) from None
    started = ConsolidationStarted(id=job.id, year=job.year, status=cast(JobStatus, job.status))
    response = json_response(started, 202)
    response.headers["Location"] = f"/v1/consolidations/{job.id}"
    return response


def get_consolidation(id: str) -> Response:
    job_id = parse_id(id, "consolidation")
    with read_session() as session:
        job = session.get(Consolidation, job_id)
        if job is None:
            raise ApiError(404, "not_found", f"no consolidation {job_id}")
        return no_store(json_response(consolidation_document(job)))


def list_consolidations() -> Response:
    year = query_integer("year", *year_range())
    jobs = [consolidation_entry(job) for job in recent_jobs(year)]
    return no_store(json_response(ConsolidationList(consolidations=jobs)))
