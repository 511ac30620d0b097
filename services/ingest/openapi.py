"""GET /openapi.json: the ingest API, generated from the schema that validates events.

Every answer an operation can give is documented, with its headers: 429 and 503 carry
``Retry-After``, 405 ``Allow``; 413 is answered from ``Content-Length`` before the body
is read (cli/serve.py); a 503 says ``"outcome": "unknown"`` when the batch may have been
recorded (shared/storage/commit_outcome.py).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from shared.events import MAX_EVENTS_PER_REQUEST, event_schema_components

bp = Blueprint("openapi", __name__)

_STATUS = {
    "type": "object",
    "required": ["status"],
    "properties": {"status": {"type": "string"}},
}
_READY = {
    "type": "object",
    "required": ["status", "checks", "degraded"],
    "properties": {
        "status": {"enum": ["ready", "unavailable"]},
        "checks": {
            "type": "object",
            "properties": {"database": {"type": "boolean"}, "broker": {"type": "boolean"}},
        },
        "degraded": {
            "type": "object",
            "description": "The parts working in a lesser way, and why (auth_failure_limit: "
            "failed authentications counted per process, their shared store unreachable)",
            "additionalProperties": {"type": "string"},
        },
    },
}
_ERROR = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
}
_UNAVAILABLE = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"const": "unavailable"},
        "message": {"type": "string"},
        "outcome": {
            "const": "unknown",
            "description": "Present only when the batch may have been recorded (SPEC §5)",
        },
    },
}


def openapi_document() -> dict[str, Any]:
    event, components = event_schema_components()
    batch = {"type": "array", "items": event, "maxItems": MAX_EVENTS_PER_REQUEST}
    error_list = {
        "type": "object",
        "required": ["error", "message", "errors"],
        "properties": {
            "error": {"const": "invalid_events"},
            "message": {"type": "string"},
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["index", "event_id", "code", "message"],
                    "properties": {
                        "index": {"type": "integer"},
                        "event_id": {"type": ["string", "null"]},
                        "code": {
                            "enum": [
                                "invalid",
                                "unknown_structure",
                                "conflict",
                                "forbidden_structure",
                            ]
                        },
                        "message": {"type": "string"},
                    },
                },
            },
        },
    }

    def answer(
        description: str, schema: dict[str, Any] | None = None, **headers: dict[str, Any]
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"description": description}
        if schema:
            body["content"] = {"application/json": {"schema": schema}}
        if headers:
            body["headers"] = {name.replace("_", "-"): value for name, value in headers.items()}
        return body

    retry_after = {"description": "Seconds to wait", "schema": {"type": "integer", "minimum": 1}}
    allow = {"description": "The methods this path answers", "required": True,
             "schema": {"type": "string"}}  # fmt: skip
    not_allowed = answer("Method not allowed on this path", _ERROR, Allow=allow)
    example_event = {
        "event_id": "ml-11-001:2007:000042",
        "type": "interview",
        "occurred_on": "2007-03-15",
        "structure_id": "ML-11-001",
        "youth_id": "Y-8f3a2c",
    }

    def probe(operation_id: str, summary: str, ok: dict[str, Any]) -> dict[str, Any]:
        return {
            "get": {
                "operationId": operation_id,
                "tags": ["service"],
                "summary": summary,
                "responses": {"200": ok, "405": not_allowed},
            }
        }

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
            "/v1/events": {
                "post": {
                    "operationId": "postEvents",
                    "tags": ["events"],
                    "summary": "Record a batch of events (all or nothing)",
                    "security": [{"bearer": []}],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "oneOf": [
                                        batch,
                                        {
                                            "type": "object",
                                            "required": ["events"],
                                            "properties": {"events": batch},
                                            "additionalProperties": False,
                                        },
                                    ]
                                },
                                "example": [example_event],
                            },
                            "application/x-ndjson": {"schema": event, "example": example_event},
                        },
                    },
                    "responses": {
                        "202": answer(
                            "All events valid; the new ones are durably recorded",
                            {
                                "type": "object",
                                "required": ["batch_id", "accepted", "duplicates"],
                                "properties": {
                                    "batch_id": {"type": "string"},
                                    "accepted": {"type": "integer"},
                                    "duplicates": {"type": "integer"},
                                },
                            },
                        ),
                        "400": answer("Malformed body", _ERROR),
                        "401": answer("Missing, unknown, revoked or expired token", _ERROR),
                        "403": answer("Role may not post events", _ERROR),
                        "405": not_allowed,
                        "413": answer("More than 10 000 events or 10 MiB", _ERROR),
                        "415": answer("Content type other than JSON or NDJSON", _ERROR),
                        "422": answer("Invalid events; nothing recorded", error_list),
                        "429": answer(
                            "Too many failed authentications from this address",
                            _ERROR,
                            Retry_After=retry_after,
                        ),
                        "503": answer(
                            "Storage unavailable: nothing recorded — unless `outcome` is "
                            "`unknown`: the database failed during the commit and could not be "
                            "asked within 10 s whether the batch was recorded; it may have "
                            "been (a resend is safe: recorded events come back as duplicates)",
                            _UNAVAILABLE,
                            Retry_After=retry_after,
                        ),
                    },
                }
            },
            "/healthz": probe("healthz", "Process up", answer("Up", _STATUS)),
            "/readyz": {
                "get": {
                    "operationId": "readyz",
                    "tags": ["service"],
                    "summary": "Database and broker reachable",
                    "responses": {
                        "200": answer("Ready", _READY),
                        "405": not_allowed,
                        "503": answer("Not ready", _READY),
                    },
                }
            },
            "/metrics": probe(
                "metrics",
                "Prometheus metrics",
                {
                    "description": "Prometheus text format",
                    "content": {"text/plain": {"schema": {"type": "string"}}},
                },
            ),
            "/openapi.json": probe(
                "openapi",
                "This document",
                {"description": "OpenAPI 3.1", "content": {"application/json": {}}},
            ),
        },
    }


@bp.get("/openapi.json")
def openapi_json() -> Any:
    return jsonify(openapi_document())
