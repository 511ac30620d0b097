"""The registry's part of ``/openapi.json``."""

from __future__ import annotations

from typing import Any

from services.http.apidoc import RETRY_AFTER, answer, fail, json_body, operation, with_headers
from services.web.parameters import Parameters
from services.web.registry.schemas import StructureDocument, StructureList
from shared.registry import StructureFields

TAG = "registry"
EXAMPLE = {
    "name": "Mission locale de Paris",
    "kind": "mission_locale",
    "region": "11",
    "opened_on": "1990-01-01",
    "closed_on": None,
    "email": "direction@ml-paris.example.org",
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
                    "401": fail("A token was given that is unknown, revoked or expired"),
                    "404": fail("Unknown region"),
                    "429": with_headers(
                        fail("Too many failed authentications from this address"), RETRY_AFTER
                    ),
                },
                description="No token needed. The contact `email` is shown to an admin's token "
                "(every structure's) and to a structure's token (its own); without one, or to "
                "another role, it is left out.",
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
                    "422": fail(
                        "Invalid structure (id, name, dates: closed before opened, an email "
                        "that is not name@domain.tld)"
                    ),
                },
                description="An absent `email` leaves the contact address as it is; `null` "
                "removes it.",
                parameters=[p.path_structure],
                body=json_body(StructureFields, EXAMPLE),
                secured=True,
            )
        },
    }
