"""The registry's part of ``/openapi.json``."""

from __future__ import annotations

from typing import Any

from services.web.apidoc import Parameters, answer, fail, json_body, operation
from services.web.registry.schemas import StructureDocument, StructureList
from shared.registry import StructureFields

TAG = "registry"
EXAMPLE = {
    "name": "Mission locale de Paris",
    "kind": "mission_locale",
    "region": "11",
    "opened_on": "1990-01-01",
    "closed_on": None,
}


# A structure just put may declare (schemathesis's stateful phase follows it too).
LINKS = {
    "declare": {
        "operationId": "putDeclaration",
        "parameters": {"year": 2007, "structure_id": "$request.path.structure_id"},
    }
}


def paths(p: Parameters) -> dict[str, Any]:
    """``/v1/structures`` and ``/v1/structures/{structure_id}``."""
    return {
        "/v1/structures": {
            "get": operation(
                "listStructures",
                TAG,
                "The structure registry",
                {
                    "200": answer("The structures, by id", StructureList),
                    "404": fail("Unknown region"),
                },
                parameters=[{**p.region, "description": "Only the structures of this region"}],
            )
        },
        "/v1/structures/{structure_id}": {
            "put": operation(
                "putStructure",
                TAG,
                "Create or update a structure (admin)",
                {
                    "200": {**answer("Updated", StructureDocument), "links": LINKS},
                    "201": {**answer("Created", StructureDocument), "links": LINKS},
                    "403": fail("Role other than admin"),
                    "422": fail("Invalid structure (id, name, dates: closed before opened)"),
                },
                parameters=[p.path_structure],
                body=json_body(StructureFields, EXAMPLE),
                secured=True,
            )
        },
    }
