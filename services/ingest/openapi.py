"""GET /openapi.json: the ingest API, generated from the schema that validates events."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from shared.events import MAX_EVENTS_PER_REQUEST, event_schema_components

bp = Blueprint("openapi", __name__)

_ERROR = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
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

    def answer(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"description": description}
        if schema:
            body["content"] = {"application/json": {"schema": schema}}
        return body

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
                                }
                            },
                            "application/x-ndjson": {"schema": event},
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
                        "401": answer("Missing or unknown token", _ERROR),
                        "403": answer("Role may not post events", _ERROR),
                        "413": answer("More than 10 000 events or 10 MiB", _ERROR),
                        "415": answer("Content type other than JSON or NDJSON", _ERROR),
                        "422": answer("Invalid events; nothing recorded", error_list),
                        "503": answer("Storage unavailable; nothing recorded", _ERROR),
                    },
                }
            },
            "/healthz": {"get": {"summary": "Process up", "responses": {"200": answer("Up")}}},
            "/readyz": {
                "get": {
                    "summary": "Database and broker reachable",
                    "responses": {"200": answer("Ready"), "503": answer("Not ready")},
                }
            },
            "/metrics": {
                "get": {
                    "summary": "Prometheus metrics",
                    "responses": {"200": answer("Metrics text")},
                }
            },
        },
    }


@bp.get("/openapi.json")
def openapi_json() -> Any:
    return jsonify(openapi_document())
