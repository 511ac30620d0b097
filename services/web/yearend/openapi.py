"""The year end's part of ``/openapi.json``: declarations, consolidations and reports."""

from __future__ import annotations

from typing import Any

from services.web.apidoc import BEARER, Parameters, answer, fail, json_body
from services.web.yearend.schemas import (
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
from shared.declarations.fields import DeclarationFields
from shared.declarations.workflow import STATUSES

AUTH = {"401": fail("Missing or unknown token"), "403": fail("Role or scope not allowed")}


def _decision(p: Parameters, summary: str, reason_required: bool) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary,
            "security": BEARER,
            "parameters": [p.path_year, p.path_structure],
            "requestBody": json_body(Verdict, required=reason_required),
            "responses": {
                "200": answer("The declaration", DeclarationDocument),
                **AUTH,
                "404": fail("No such declaration"),
                "409": fail("Not allowed in the declaration's status"),
                "422": fail("Invalid body (a rejection needs a reason)"),
            },
        }
    }


def paths(p: Parameters) -> dict[str, Any]:
    """``/v1/declarations…``, ``/v1/consolidations…`` and ``/v1/reports…``."""
    path_year, path_structure, version, year, region = (
        p.path_year,
        p.path_structure,
        p.version,
        p.year,
        p.region,
    )
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
                "security": BEARER,
                "parameters": [path_year, path_structure],
                "requestBody": json_body(DeclarationFields),
                "responses": {
                    "200": answer(
                        "Replaced (or resubmitted after a rejection)", DeclarationDocument
                    ),
                    "201": answer("Created", DeclarationDocument),
                    "400": fail("Body is not JSON, or bad year"),
                    **AUTH,
                    "409": fail("Already validated"),
                    "422": fail("Invalid declaration, unknown or inactive structure"),
                },
            },
        },
        "/v1/declarations/{year}/{structure_id}/validate": _decision(
            p, "Validate a submitted declaration (validator of its region, or admin)", False
        ),
        "/v1/declarations/{year}/{structure_id}/reject": _decision(
            p, "Reject a declaration, with a reason (validator of its region, or admin)", True
        ),
        "/v1/consolidations": {
            "post": {
                "summary": "Start the consolidation of a year (admin); one at a time per year",
                "security": BEARER,
                "requestBody": json_body(ConsolidationRequest),
                "responses": {
                    "202": answer(
                        "Queued, or the year's job already running", ConsolidationStarted
                    ),
                    "400": fail("Body is not JSON"),
                    **AUTH,
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
