"""Building blocks of both services' ``/openapi.json``: references to the msgspec structs'
schemas, answers, errors, headers, and one operation with every answer it can give.

Each feature of the web documents its own paths (``services/web/<feature>/openapi.py``),
the ingest its one (``services/ingest/openapi.py``), with these.
"""

from __future__ import annotations

from typing import Any

from services.http.errors import ErrorBody

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
    too_large: str = "Body over 1 MiB (answered from Content-Length)",
) -> dict[str, Any]:
    """One operation, with every answer it can give besides its own ``responses``: 400 for
    bad parameters, 413/415 for a body, 401/403/429 with a token, 304 when conditional,
    405 (another method) always, and 503 when it ``reads`` the database (unreachable)."""
    every = dict(responses)
    if parameters or body is not None:
        every.setdefault("400", fail("Bad parameter, or a body that is not JSON"))
    if body is not None:
        every.setdefault("413", fail(too_large))
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
