"""Building blocks of ``/openapi.json`` that every feature's paths use.

Each feature documents its own paths (``<feature>/openapi.py``) with these
helpers; ``services/web/openapi.py`` puts them together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec

from services.web.http import ErrorBody
from services.web.parameters import year_range
from shared.events import StructureId
from shared.regions import REGIONS

REF = "#/components/schemas/{name}"


def ref(struct: type) -> dict[str, str]:
    """A reference to the schema of ``struct`` among the components."""
    return {"$ref": REF.format(name=struct.__name__)}


def answer(description: str, struct: type | None = None) -> dict[str, Any]:
    """A response, with ``struct`` as its JSON body if given."""
    body: dict[str, Any] = {"description": description}
    if struct is not None:
        body["content"] = {"application/json": {"schema": ref(struct)}}
    return body


def fail(description: str) -> dict[str, Any]:
    """An error response (SPEC §5's error body)."""
    return answer(description, ErrorBody)


def query(
    name: str, description: str, schema: dict[str, Any], required: bool = False
) -> dict[str, Any]:
    """A query parameter."""
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
    }


def json_body(struct: type, required: bool = True) -> dict[str, Any]:
    """A request body of ``struct``."""
    return {"required": required, "content": {"application/json": {"schema": ref(struct)}}}


BEARER: list[dict[str, list[str]]] = [{"bearer": []}]


@dataclass(frozen=True)
class Parameters:
    """The parameters several paths share (the years depend on today)."""

    year: dict[str, Any]
    region: dict[str, Any]
    structure: dict[str, Any]
    path_year: dict[str, Any]
    path_structure: dict[str, Any]
    version: dict[str, Any]


def parameters() -> Parameters:
    """The shared parameters, as of today."""
    (structure_id,), _ = msgspec.json.schema_components([StructureId])
    first, last = year_range()
    return Parameters(
        year=query(
            "year",
            "Reporting year (default: the current year)",
            {"type": "integer", "minimum": first, "maximum": last},
        ),
        region=query("region", "INSEE code of a 2007 region (SPEC §4.1)", {"enum": list(REGIONS)}),
        structure=query("structure", "A structure of the registry", structure_id),
        path_year={
            "name": "year",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": first},
        },
        path_structure={
            "name": "structure_id",
            "in": "path",
            "required": True,
            "schema": structure_id,
        },
        version={
            "name": "version",
            "in": "query",
            "required": False,
            "description": "A version number (default: the latest)",
            "schema": {"type": "integer", "minimum": 1},
        },
    )
