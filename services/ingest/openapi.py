"""GET /openapi.json: the ingest API, generated from the structs that validate events
(shared/events.py) and encode the answers (services/ingest/schemas.py).

Every answer an operation can give is documented, with its headers: 429 and 503 carry
``Retry-After``, 405 ``Allow``; 413 is answered from ``Content-Length`` before the body
is read (cli/serve.py); a 503 says ``"outcome": "unknown"`` when the batch may have been
recorded (shared/storage/commit_outcome.py).
"""

from __future__ import annotations

from typing import Any

import msgspec
from flask import Response

from services.http import probes
from services.http.answers import JsonBlueprint
from services.http.apidoc import REF, RETRY_AFTER, answer, fail, operation, with_headers
from services.http.errors import ErrorBody, json_response
from services.ingest.schemas import STRUCTS, InvalidEvents, Recorded, Unavailable
from shared.events import MAX_EVENTS_PER_REQUEST, MAX_REQUEST_BYTES, Event

bp = JsonBlueprint("openapi", __name__)

EXAMPLE_EVENT = {
    "event_id": "ml-11-001:2007:000042",
    "type": "interview",
    "occurred_on": "2007-03-15",
    "structure_id": "ML-11-001",
    "youth_id": "Y-8f3a2c",
}
UNAVAILABLE = (
    "Storage unavailable: nothing recorded — unless `outcome` is `unknown`: the database "
    "failed during the commit and could not be asked within 10 s whether the batch was "
    "recorded; it may have been (a resend is safe: recorded events come back as duplicates)"
)


def _events_body(event: dict[str, Any]) -> dict[str, Any]:
    """The three framings of SPEC §5: an array, ``{"events": [...]}``, NDJSON."""
    batch = {"type": "array", "items": event, "maxItems": MAX_EVENTS_PER_REQUEST}
    envelope = {
        "type": "object",
        "required": ["events"],
        "properties": {"events": batch},
        "additionalProperties": False,
    }
    return {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"oneOf": [batch, envelope]},
                "example": [EXAMPLE_EVENT],
            },
            "application/x-ndjson": {"schema": event, "example": EXAMPLE_EVENT},
        },
    }


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the ingest service."""
    structs = (Event, *STRUCTS, ErrorBody, *probes.STRUCTS)
    (event, *_), components = msgspec.json.schema_components(structs, ref_template=REF)
    post_events = operation(
        "postEvents",
        "events",
        "Record a batch of events (all or nothing)",
        {
            "202": answer("All events valid; the new ones are durably recorded", Recorded),
            "400": fail("Malformed body"),
            "403": fail("Role may not post events"),
            "413": fail(
                f"More than {MAX_EVENTS_PER_REQUEST} events or {MAX_REQUEST_BYTES // 2**20} MiB"
            ),
            "415": fail("Content type other than JSON or NDJSON"),
            "422": answer("Invalid events; nothing recorded", InvalidEvents),
            "503": with_headers(answer(UNAVAILABLE, Unavailable), RETRY_AFTER),
        },
        body=_events_body(event),
        secured=True,
        reads=False,  # its 503 is the one above
    )
    metrics = operation(
        "metrics",
        "service",
        "Prometheus metrics",
        {
            "200": {
                "description": "Prometheus text format",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            }
        },
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "bilan ingest",
            "version": "1",
            "description": "Events of the missions locales network.",
        },
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "paths": {
            "/v1/events": {"post": post_events},
            **probes.paths(),
            "/metrics": {"get": metrics},
        },
    }


@bp.get("/openapi.json")
def openapi_json() -> Response:
    return json_response(openapi_document())
