"""``GET /healthz``: the web process is up (no dependency is checked)."""

from __future__ import annotations

import msgspec
from flask import Blueprint, Response

from services.web.http import json_response

bp = Blueprint("health", __name__)


class Health(msgspec.Struct):
    status: str


@bp.get("/healthz")
def healthz() -> Response:
    return json_response(Health(status="ok"))
