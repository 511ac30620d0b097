"""``GET /healthz``: the web process is up (no dependency is checked)."""

from __future__ import annotations

from flask import Blueprint, Response

from services.web.schemas import Health, json_response

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    return json_response(Health(status="ok"))
