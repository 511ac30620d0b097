"""Building blocks of ``/openapi.json`` that every feature's paths use.

Each feature documents its own paths (``<feature>/openapi.py``) with these
helpers; ``services/web/openapi.py`` puts them together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec

from services.web.http import ErrorBody
from services.web.parameters import INT32_MAX, year_range
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


def json_body(struct: type, example: Any, required: bool = True) -> dict[str, Any]:
    """A request body of ``struct``, with an example."""
    return {
        "required": required,
        "content": {"application/json": {"schema": ref(struct), "example": example}},
    }


BEARER: list[dict[str, list[str]]] = [{"bearer": []}]

_SECONDS = {"type": "integer", "minimum": 1}
RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait before trying again", "schema": _SECONDS}
}
_ALLOW = {
    "Allow": {
        "description": "The methods this path answers",
        "required": True,
        "schema": {"type": "string"},
    }
}
# The validators of a conditional read (services/web/live/conditional.py).
VALIDATORS = {
    "ETag": {"description": "Weak validator of this answer", "schema": {"type": "string"}},
    "Last-Modified": {"description": "When the data last changed", "schema": {"type": "string"}},
    "Cache-Control": {
        "description": "public, max-age=2, stale-while-revalidate=10",
        "schema": {"type": "string"},
    },
}
CONDITIONAL_HEADERS = [
    {
        "name": "If-None-Match",
        "in": "header",
        "required": False,
        "schema": {"type": "string"},
        "description": "An ETag of a previous answer: 304 while it is still the current one",
    },
    {
        "name": "If-Modified-Since",
        "in": "header",
        "required": False,
        "schema": {"type": "string"},
        "description": "An HTTP date: 304 if nothing changed since",
    },
]


def with_headers(response: dict[str, Any], headers: dict[str, Any]) -> dict[str, Any]:
    """``response`` with these response headers."""
    return {**response, "headers": {**response.get("headers", {}), **headers}}


def operation(
    operation_id: str,
    tag: str,
    summary: str,
    responses: dict[str, Any],
    *,
    parameters: list[dict[str, Any]] | None = None,
    body: dict[str, Any] | None = None,
    secured: bool = False,
    conditional: bool = False,
    reads: bool = True,
    description: str | None = None,
) -> dict[str, Any]:
    """One operation, with every answer it can give besides its own ``responses``: 400 for
    bad parameters, 413/415 for a body, 401/403/429 with a token, 304 when conditional,
    405 (another method) always, and 503 when it ``reads`` the database (unreachable)."""
    every = dict(responses)
    if parameters or body is not None:
        every.setdefault("400", fail("Bad parameter, or a body that is not JSON"))
    if body is not None:
        every.setdefault("413", fail("Body over 1 MiB (answered from Content-Length)"))
        every.setdefault("415", fail("Body not sent as application/json"))
    if secured:
        every.setdefault("401", fail("Missing, unknown, revoked or expired token"))
        every.setdefault("403", fail("Role or scope not allowed"))
        every["429"] = with_headers(
            fail("Too many failed authentications from this address"), RETRY_AFTER
        )
    if conditional:
        every["200"] = with_headers(every["200"], VALIDATORS)
        every["304"] = with_headers(
            {"description": "Not modified since the validator sent"}, VALIDATORS
        )
    every["405"] = with_headers(fail("Method not allowed on this path"), _ALLOW)
    if reads:
        every["503"] = with_headers(fail("Database unreachable"), RETRY_AFTER)
    found: dict[str, Any] = {"operationId": operation_id, "tags": [tag], "summary": summary}
    if description:
        found["description"] = description
    if secured:
        found["security"] = BEARER
    all_parameters = [*(parameters or []), *(CONDITIONAL_HEADERS if conditional else [])]
    if all_parameters:
        found["parameters"] = all_parameters
    if body is not None:
        found["requestBody"] = body
    found["responses"] = dict(sorted(every.items()))
    return found


@dataclass(frozen=True)
class Parameters:
    """The parameters several paths share (the years depend on today)."""

    year: dict[str, Any]
    region: dict[str, Any]
    structure: dict[str, Any]
    path_year: dict[str, Any]
    path_structure: dict[str, Any]
    version: dict[str, Any]
    job_id: dict[str, Any]


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
            "schema": {"type": "integer", "minimum": first, "maximum": last},
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
            "schema": {"type": "integer", "minimum": 1, "maximum": INT32_MAX},
        },
        job_id={
            "name": "id",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": INT32_MAX},
        },
    )
