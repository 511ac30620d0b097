"""POST /v1/events (SPEC §5): parse, authorize, record all-or-nothing, notify."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import MethodNotAllowed, RequestEntityTooLarge

from services.ingest.body import BadBody, TooManyEvents, decode_body
from services.ingest.metrics import EVENTS_ACCEPTED, EVENTS_DUPLICATE, count_rejected
from shared.access.tokens import authenticate
from shared.events import MAX_EVENTS_PER_REQUEST, MAX_REQUEST_BYTES
from shared.pipeline.ingestion import NotRecorded, OutcomeUnknown, Rejected, record_batch
from shared.pipeline.queue import notify_pending
from shared.storage.commit_outcome import CHECK_SECONDS

bp = Blueprint("events", __name__)
log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = "5"


def error(status: int, code: str, message: str, **extra: Any) -> Any:
    response = jsonify({"error": code, "message": message, **extra})
    response.status_code = status
    if status == 503:
        response.headers["Retry-After"] = RETRY_AFTER_SECONDS
    return response


@bp.post("/v1/events")
def post_events() -> Any:
    try:
        with current_app.extensions["read_sessions"]() as session:
            caller = authenticate(session, request.headers.get("Authorization"))
    except OperationalError:
        return error(503, "unavailable", "the database is unreachable; nothing was recorded")
    if caller is None:
        return error(
            401, "unauthorized", "a valid 'Authorization: Bearer <token>' header is required"
        )
    if caller.role not in ("source", "admin"):
        return error(403, "forbidden", f"role {caller.role!r} may not post events")

    content_type = (request.mimetype or "").lower()
    if content_type not in ("application/json", "application/x-ndjson"):
        return error(415, "unsupported_media_type", "send application/json or application/x-ndjson")
    if request.content_length is not None and request.content_length > MAX_REQUEST_BYTES:
        return error(413, "too_large", f"a request holds at most {MAX_REQUEST_BYTES} bytes")
    try:
        items = decode_body(request.get_data(cache=False), content_type)
    except BadBody as exc:
        return error(400, "malformed", str(exc))
    except TooManyEvents as exc:
        return error(
            413,
            "too_large",
            f"a request holds at most {MAX_EVENTS_PER_REQUEST} events, got {exc.args[0]} or more",
        )

    try:
        recorded = record_batch(
            current_app.extensions["sessions"],
            items,
            caller,
            current_app.config.get("COMMIT_CHECK_SECONDS", CHECK_SECONDS),
        )
    except Rejected as rejected:
        count_rejected(e.code for e in rejected.errors)
        return error(
            422,
            "invalid_events",
            f"{len(rejected.errors)} invalid event(s); nothing was recorded",
            errors=[
                {"index": e.index, "event_id": e.event_id, "code": e.code, "message": e.message}
                for e in rejected.errors
            ],
        )
    except NotRecorded as exc:
        log.warning("recording failed, nothing recorded: %s", exc)
        return error(503, "unavailable", "storage is unavailable; nothing was recorded")
    except OutcomeUnknown as exc:
        log.warning("recording failed during the commit, outcome unknown: %s", exc)
        return error(
            503,
            "unavailable",
            "the database failed during the commit and could not be asked in time whether "
            "the batch was recorded; it may have been: resend it (its recorded events come "
            "back as duplicates)",
            outcome="unknown",
        )

    if recorded.accepted and current_app.config["NOTIFY"]:
        notify_pending(current_app.config["SETTINGS"])
    EVENTS_ACCEPTED.inc(recorded.accepted)
    EVENTS_DUPLICATE.inc(recorded.duplicates)
    return (
        jsonify(
            {
                "batch_id": recorded.batch_id,
                "accepted": recorded.accepted,
                "duplicates": recorded.duplicates,
            }
        ),
        202,
    )


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(_: RequestEntityTooLarge) -> Any:
        return error(413, "too_large", f"a request holds at most {MAX_REQUEST_BYTES} bytes")

    @app.errorhandler(404)
    def _not_found(_: Exception) -> Any:
        return error(404, "not_found", "no such resource")

    @app.errorhandler(405)
    def _not_allowed(exc: MethodNotAllowed) -> Any:
        response = error(405, "method_not_allowed", "method not allowed on this resource")
        response.headers["Allow"] = ", ".join(exc.valid_methods or ())
        return response
