"""``GET /healthz``: the web process is up (no dependency is checked); ``GET /readyz``: the
database and the broker are reachable, and which parts run degraded
(shared/storage/readiness.py)."""

from __future__ import annotations

import msgspec
from flask import Blueprint, Response, current_app

from services.web.http import json_response
from shared.storage.readiness import readiness

bp = Blueprint("health", __name__)


class Health(msgspec.Struct):
    status: str


class ReadinessChecks(msgspec.Struct):
    database: bool
    broker: bool


class Readiness(msgspec.Struct):
    """Ready (200) when the database and the broker are reachable, else 503; ``degraded``
    names the parts that work in a lesser way meanwhile (e.g. ``auth_failure_limit``:
    failed authentications counted per process, their shared store unreachable)."""

    status: str
    checks: ReadinessChecks
    degraded: dict[str, str]


@bp.get("/healthz")
def healthz() -> Response:
    return json_response(Health(status="ok"))


@bp.get("/readyz")
def readyz() -> Response:
    state = readiness(
        current_app.extensions["read_sessions"],
        current_app.config["SETTINGS"],
        current_app.extensions["auth_failures"],
    )
    answer = json_response(state.document(), 200 if state.ready else 503)
    answer.headers["Cache-Control"] = "no-store"
    if not state.ready:
        answer.headers["Retry-After"] = "5"
    return answer
