"""The URLs of the structure registry."""

from __future__ import annotations

from services.http.answers import JsonBlueprint
from services.web.registry import api

bp = JsonBlueprint("registry", __name__)
bp.add_url_rule("/v1/structures", view_func=api.list_structures)
bp.add_url_rule("/v1/structures/<structure_id>", view_func=api.put_structure, methods=["PUT"])
