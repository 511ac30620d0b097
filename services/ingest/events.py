"""POST /v1/events (SPEC §5): parse, authorize, record all-or-nothing, notify (its answers:
services/ingest/schemas.py)."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, request
from sqlalchemy.exc import OperationalError

from services.http.answers import JsonBlueprint
from services.http.bearer import authenticated
from services.http.errors import error_response, json_response
from services.ingest.body import BadBody, TooManyEvents, decode_body
from services.ingest.metrics import EVENTS_ACCEPTED, EVENTS_DUPLICATE, count_rejected
from services.ingest.schemas import Recorded
from shared.events import MAX_EVENTS_PER_REQUEST, MAX_REQUEST_BYTES
from shared.pipeline.ingestion import NotRecorded, OutcomeUnknown, Rejected, record_batch
from shared.pipeline.queue import notify_pending
from shared.storage.commit_outcome import CHECK_SECONDS

bp = JsonBlueprint("events", __name__)
log = logging.getLogger(__name__)


@bp.post("/v1/events")
def post_events() -> Any:
    try:
        caller = authenticated()  # else a 401, or a 429 past the limit of failures
    except OperationalError:
        return error_response(
            503, "unavailable", "the database is unreachable; nothing was recorded"
        )
    if caller.role not in ("source", "admin"):
        return error_response(403, "forbidden", f"role {caller.role!r} may not post events")

    content_type = (request.mimetype or "").lower()
    if content_type not in ("application/json", "application/x-ndjson"):
        return error_response(
            415, "unsupported_media_type", "send application/json or application/x-ndjson"
        )
    if request.content_length is not None and request.content_length > MAX_REQUEST_BYTES:
        return error_response(
            413, "too_large", f"a request holds at most {MAX_REQUEST_BYTES} bytes"
        )
    try:
        items = decode_body(request.get_data(cache=False), content_type)
    except BadBody as exc:
        return error_response(400, "malformed", str(exc))
    except TooManyEvents as exc:
        return error_response(
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
        return error_response(
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
        return error_response(503, "unavailable", "storage is unavailable; nothing was recorded")
    except OutcomeUnknown as exc:
        log.warning("recording failed during the commit, outcome unknown: %s", exc)
        return error_response(
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
    return json_response(
        Recorded(
            batch_id=recorded.batch_id,
            accepted=recorded.accepted,
            duplicates=recorded.duplicates,
        ),
        202,
    )
