"""Hooks of the schemathesis runs (tests/e2e/test_schemathesis_e2e.py), loaded by name
through SCHEMATHESIS_HOOKS.

JSON Schema counts ``2007.0`` as an integer; the API, as its OpenAPI document says,
takes JSON integers only and refuses ``2007.0`` (422). The generated bodies' integral
floats are written as integers, so that "valid by the schema" means what the API means.
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis


def _integers(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_integers(item) for item in value]
    if isinstance(value, dict):
        return {key: _integers(item) for key, item in value.items()}
    return value


@schemathesis.hook
def map_body(context: Any, body: Any) -> Any:
    return _integers(body)


@schemathesis.serializer("application/x-ndjson")
def ndjson(context: Any, value: Any) -> bytes:
    """One event per line: the document's NDJSON body is one event, sent as one line."""
    return (json.dumps(value) + "\n").encode()
