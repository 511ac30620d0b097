"""``GET /openapi.json``: the web API, generated from the structs that encode its answers.

Each feature documents its own paths (``<feature>/openapi.py``) and lists its
structs (``<feature>/schemas.py``); this module puts them together.
"""

from __future__ import annotations

from typing import Any

import msgspec
from flask import Blueprint, Response

from services.web.apidoc import REF, answer, parameters
from services.web.health import Health
from services.web.http import ErrorBody, json_response
from services.web.live import openapi as live_openapi
from services.web.live.schemas import STRUCTS as LIVE_STRUCTS
from services.web.registry import openapi as registry_openapi
from services.web.registry.schemas import STRUCTS as REGISTRY_STRUCTS
from services.web.yearend import openapi as yearend_openapi
from services.web.yearend.schemas import STRUCTS as YEAREND_STRUCTS

bp = Blueprint("openapi", __name__)


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the web service, as of today (the valid years move)."""
    structs = (*LIVE_STRUCTS, *REGISTRY_STRUCTS, Health, ErrorBody, *YEAREND_STRUCTS)
    _, components = msgspec.json.schema_components(structs, ref_template=REF)
    p = parameters()
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
            **live_openapi.paths(p),
            **registry_openapi.paths(p),
            **yearend_openapi.paths(p),
            "/healthz": {
                "get": {"summary": "Process up", "responses": {"200": answer("Up", Health)}}
            },
            "/openapi.json": {
                "get": {"summary": "This document", "responses": {"200": answer("OpenAPI 3.1")}}
            },
        },
    }


def openapi_json() -> Response:
    return json_response(openapi_document())


bp.add_url_rule("/openapi.json", view_func=openapi_json)
