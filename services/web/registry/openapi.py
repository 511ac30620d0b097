"""The registry's part of ``/openapi.json``."""

from __future__ import annotations

from typing import Any

from services.web.apidoc import BEARER, Parameters, answer, fail, json_body
from services.web.registry.schemas import StructureDocument, StructureList
from shared.registry import StructureFields


def paths(p: Parameters) -> dict[str, Any]:
    """``/v1/structures`` and ``/v1/structures/{structure_id}``."""
    return {
        "/v1/structures": {
            "get": {
                "summary": "The structure registry",
                "parameters": [{**p.region, "description": "Only the structures of this region"}],
                "responses": {
                    "200": answer("The structures, by id", StructureList),
                    "404": fail("Unknown region or structure"),
                },
            }
        },
        "/v1/structures/{structure_id}": {
            "put": {
                "summary": "Create or update a structure (admin)",
                "security": BEARER,
                "parameters": [p.path_structure],
                "requestBody": json_body(StructureFields),
                "responses": {
                    "200": answer("Updated", StructureDocument),
                    "201": answer("Created", StructureDocument),
                    "400": fail("Body is not JSON"),
                    "401": fail("Missing or unknown token"),
                    "403": fail("Role other than admin"),
                    "422": fail("Invalid structure"),
                },
            }
        },
    }
