"""The year-end part of ``/openapi.json``: declarations, consolidations and reports."""

from __future__ import annotations

from typing import Any

from services.web.yearend_schemas import (
    ConsolidationDocument,
    ConsolidationList,
    ConsolidationRequest,
    ConsolidationStarted,
    DeclarationDetail,
    DeclarationDocument,
    DeclarationList,
    ReportDocument,
    Verdict,
)
from shared.declarations import STATUSES, DeclarationFields

STRUCTS: tuple[type, ...] = (
    DeclarationFields,
    DeclarationDocument,
    DeclarationDetail,
    DeclarationList,
    Verdict,
    ConsolidationRequest,
    ConsolidationStarted,
    ConsolidationDocument,
    ConsolidationList,
    ReportDocument,
)


def yearend_paths(
    ref: Any, answer: Any, year: dict[str, Any], region: dict[str, Any], structure_id: Any
) -> dict[str, Any]:
    """The paths, built with openapi.py's helpers (``ref``, ``answer``) and parameters."""
    error = "ErrorBody"
    err = {"$ref": f"#/components/schemas/{error}"}

    def fail(description: str) -> dict[str, Any]:
        return {"description": description, "content": {"application/json": {"schema": err}}}

    path_year = {
        "name": "year",
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": year["schema"]["minimum"]},
    }
    path_structure = {
        "name": "structure_id",
        "in": "path",
        "required": True,
        "schema": structure_id,
    }
    version = {
        "name": "version",
        "in": "query",
        "required": False,
        "description": "A version number (default: the latest)",
        "schema": {"type": "integer", "minimum": 1},
    }
    auth = {"401": fail("Missing or unknown token"), "403": fail("Role or scope not allowed")}

    def decision(summary: str, reason_required: bool) -> dict[str, Any]:
        return {
            "post": {
                "summary": summary,
                "security": [{"bearer": []}],
                "parameters": [path_year, path_structure],
                "requestBody": {
                    "required": reason_required,
                    "content": {"application/json": {"schema": ref(Verdict)}},
                },
                "responses": {
                    "200": answer("The declaration", DeclarationDocument),
                    **auth,
                    "404": fail("No such declaration"),
                    "409": fail("Not allowed in the declaration's status"),
                    "422": fail("Invalid body (a rejection needs a reason)"),
                },
            }
        }

    return {
        "/v1/declarations/{year}": {
            "get": {
                "summary": "The declarations of a year, with their status and completeness",
                "parameters": [
                    path_year,
                    {
                        "name": "status",
                        "in": "query",
                        "required": False,
                        "schema": {"enum": list(STATUSES)},
                    },
                    {**region, "description": "Only the declarations of this region"},
                ],
                "responses": {
                    "200": answer("The declarations", DeclarationList),
                    "400": fail("Bad parameter"),
                    "404": fail("Unknown region"),
                },
            }
        },
        "/v1/declarations/{year}/{structure_id}": {
            "get": {
                "summary": "One declaration and its audit trail",
                "parameters": [path_year, path_structure],
                "responses": {
                    "200": answer("The declaration and its history", DeclarationDetail),
                    "404": fail("No such declaration"),
                },
            },
            "put": {
                "summary": "Submit a declaration (its structure's token, or admin) → submitted",
                "security": [{"bearer": []}],
                "parameters": [path_year, path_structure],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": ref(DeclarationFields)}},
                },
                "responses": {
                    "200": answer(
                        "Replaced (or resubmitted after a rejection)", DeclarationDocument
                    ),
                    "201": answer("Created", DeclarationDocument),
                    "400": fail("Body is not JSON, or bad year"),
                    **auth,
                    "409": fail("Already validated"),
                    "422": fail("Invalid declaration, unknown or inactive structure"),
                },
            },
        },
        "/v1/declarations/{year}/{structure_id}/validate": decision(
            "Validate a submitted declaration (validator of its region, or admin)", False
        ),
        "/v1/declarations/{year}/{structure_id}/reject": decision(
            "Reject a declaration, with a reason (validator of its region, or admin)", True
        ),
        "/v1/consolidations": {
            "post": {
                "summary": "Start the consolidation of a year (admin); one at a time per year",
                "security": [{"bearer": []}],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": ref(ConsolidationRequest)}},
                },
                "responses": {
                    "202": answer(
                        "Queued, or the year's job already running", ConsolidationStarted
                    ),
                    "400": fail("Body is not JSON"),
                    **auth,
                    "422": fail("Invalid year"),
                },
            },
            "get": {
                "summary": "The job history, newest first",
                "parameters": [{**year, "description": "Only the jobs of this year"}],
                "responses": {"200": answer("The jobs", ConsolidationList)},
            },
        },
        "/v1/consolidations/{id}": {
            "get": {
                "summary": "A consolidation job and its progress",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "responses": {
                    "200": answer("The job", ConsolidationDocument),
                    "404": fail("No such job"),
                },
            }
        },
        "/v1/reports/{year}": {
            "get": {
                "summary": "A frozen report version (the latest by default)",
                "parameters": [path_year, version],
                "responses": {
                    "200": answer("The report, byte for byte as frozen", ReportDocument),
                    "400": fail("Bad version"),
                    "404": fail("No report (or no such version) for that year"),
                },
            }
        },
        "/v1/reports/{year}.csv": {
            "get": {
                "summary": "The same report as CSV (section, key, label, value)",
                "parameters": [path_year, version],
                "responses": {
                    "200": {"description": "CSV", "content": {"text/csv": {}}},
                    "404": fail("No report (or no such version) for that year"),
                },
            }
        },
    }
