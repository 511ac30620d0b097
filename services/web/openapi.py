"""``GET /openapi.json``: the web API, generated from the structs that encode its answers."""

from __future__ import annotations

from typing import Any

import msgspec
from flask import Blueprint, Response

from services.web.figures import year_range
from services.web.schemas import (
    BREAKDOWNS,
    BreakdownResponse,
    ErrorBody,
    FiguresResponse,
    Health,
    StructureDocument,
    StructureList,
    json_response,
)
from shared.events import StructureId
from shared.regions import REGIONS
from shared.registry import StructureFields

bp = Blueprint("openapi", __name__)

_REF = "#/components/schemas/{name}"


def _ref(struct: type) -> dict[str, str]:
    return {"$ref": _REF.format(name=struct.__name__)}


def _answer(description: str, struct: type | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"description": description}
    if struct is not None:
        body["content"] = {"application/json": {"schema": _ref(struct)}}
    return body


def _query(
    name: str, description: str, schema: dict[str, Any], required: bool = False
) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
    }


def openapi_document() -> dict[str, Any]:
    (structure_id,), _ = msgspec.json.schema_components([StructureId])
    _, components = msgspec.json.schema_components(
        [
            FiguresResponse,
            BreakdownResponse,
            StructureList,
            StructureDocument,
            StructureFields,
            Health,
            ErrorBody,
        ],
        ref_template=_REF,
    )
    from services.web.yearend_openapi import STRUCTS

    _, yearend_components = msgspec.json.schema_components(STRUCTS, ref_template=_REF)
    components = {**components, **yearend_components}
    first, last = year_range()
    year = _query(
        "year",
        "Reporting year (default: the current year)",
        {"type": "integer", "minimum": first, "maximum": last},
    )
    region = _query("region", "INSEE code of a 2007 region (SPEC §4.1)", {"enum": list(REGIONS)})
    structure = _query("structure", "A structure of the registry", structure_id)
    path_id = {"name": "structure_id", "in": "path", "required": True, "schema": structure_id}
    bad = _answer("Bad parameter", ErrorBody)
    unknown = _answer("Unknown region or structure", ErrorBody)
    from services.web.yearend_openapi import yearend_paths

    yearend = yearend_paths(_ref, _answer, year, region, structure_id)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "bilan web",
            "version": "1",
            "description": "Live key figures and registry of the missions locales network.",
        },
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "paths": {
            "/v1/figures": {
                "get": {
                    "summary": "Live event figures of a year: national, a region or a structure",
                    "description": "Give region or structure, not both.",
                    "parameters": [year, region, structure],
                    "responses": {
                        "200": _answer("The figures", FiguresResponse),
                        "400": bad,
                        "404": unknown,
                    },
                }
            },
            "/v1/figures/breakdown": {
                "get": {
                    "summary": "The figures of a year, one row per region, structure or month",
                    "parameters": [
                        year,
                        _query("by", "What a row is", {"enum": list(BREAKDOWNS)}, required=True),
                        {**region, "description": "Only the rows within this region"},
                    ],
                    "responses": {
                        "200": _answer("One row per key", BreakdownResponse),
                        "400": bad,
                        "404": unknown,
                    },
                }
            },
            "/v1/structures": {
                "get": {
                    "summary": "The structure registry",
                    "parameters": [{**region, "description": "Only the structures of this region"}],
                    "responses": {
                        "200": _answer("The structures, by id", StructureList),
                        "404": unknown,
                    },
                }
            },
            "/v1/structures/{structure_id}": {
                "put": {
                    "summary": "Create or update a structure (admin)",
                    "security": [{"bearer": []}],
                    "parameters": [path_id],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref(StructureFields)}},
                    },
                    "responses": {
                        "200": _answer("Updated", StructureDocument),
                        "201": _answer("Created", StructureDocument),
                        "400": _answer("Body is not JSON", ErrorBody),
                        "401": _answer("Missing or unknown token", ErrorBody),
                        "403": _answer("Role other than admin", ErrorBody),
                        "422": _answer("Invalid structure", ErrorBody),
                    },
                }
            },
            **yearend,
            "/healthz": {
                "get": {"summary": "Process up", "responses": {"200": _answer("Up", Health)}}
            },
            "/openapi.json": {
                "get": {"summary": "This document", "responses": {"200": _answer("OpenAPI 3.1")}}
            },
        },
    }


@bp.get("/openapi.json")
def openapi_json() -> Response:
    return json_response(openapi_document())
