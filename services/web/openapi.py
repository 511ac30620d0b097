"""``GET /openapi.json``: the web API, generated from the structs that encode its answers.

Each feature documents its own paths (``<feature>/openapi.py``) and lists its
structs (``<feature>/schemas.py``); this module puts them together.
"""

from __future__ import annotations

from typing import Any

import msgspec
from flask import Response

from services.http import probes
from services.http.answers import JsonBlueprint
from services.http.apidoc import REF
from services.http.errors import ErrorBody, json_response
from services.web.live import openapi as live_openapi
from services.web.live.schemas import STRUCTS as LIVE_STRUCTS
from services.web.parameters import parameters, year_range
from services.web.registry import openapi as registry_openapi
from services.web.registry.schemas import STRUCTS as REGISTRY_STRUCTS
from services.web.reports import openapi as reports_openapi
from services.web.reports.schemas import STRUCTS as REPORTS_STRUCTS
from services.web.yearend import openapi as yearend_openapi
from services.web.yearend.schemas import STRUCTS as YEAREND_STRUCTS
from shared.regions import REGIONS

bp = JsonBlueprint("openapi", __name__)


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the web service, as of today (the valid years move)."""
    structs = (
        *LIVE_STRUCTS,
        *REGISTRY_STRUCTS,
        *probes.STRUCTS,
        ErrorBody,
        *YEAREND_STRUCTS,
        *REPORTS_STRUCTS,
    )
    _, components = msgspec.json.schema_components(structs, ref_template=REF)
    # What the structs check in code, because it moves with today or lives in a table.
    first, last = year_range()
    components["ConsolidationRequest"]["properties"]["year"].update(minimum=first, maximum=last)
    for name in ("StructureFields", "StructureDocument", "DeclarationDocument"):
        components[name]["properties"]["region"] = {
            "enum": list(REGIONS),
            "description": "INSEE code of a 2007 region (SPEC §4.1)",
        }
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
            **reports_openapi.paths(p),
            **probes.paths(),
        },
    }


def openapi_json() -> Response:
    return json_response(openapi_document())


bp.add_url_rule("/openapi.json", view_func=openapi_json)
