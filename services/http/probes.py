"""The probes of both services: ``GET /healthz``, the process is up (no dependency is
checked); ``GET /readyz``, the database and the broker are reachable, and which parts run
degraded (shared/storage/readiness.py)."""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from flask import Response, current_app

from services.http.answers import JsonBlueprint
from services.http.apidoc import RETRY_AFTER, answer, operation, with_headers
from services.http.errors import RETRY_AFTER_SECONDS, json_response
from shared.storage.readiness import readiness

bp = JsonBlueprint("health", __name__)


class Health(msgspec.Struct):
    status: str


class ReadinessChecks(msgspec.Struct):
    database: bool
    broker: bool


class Readiness(msgspec.Struct):
    """Ready (200) when the database and the broker are reachable, else 503; ``degraded``
    names the parts that work in a lesser way meanwhile (e.g. ``auth_failure_limit``:
    failed authentications counted per process, their shared store unreachable)."""

    status: Literal["ready", "unavailable"]
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
        answer.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return answer


STRUCTS = (Health, Readiness)


def paths() -> dict[str, Any]:
    """The probes' paths in ``/openapi.json``, and the document's own."""
    return {
        "/healthz": {
            "get": operation(
                "healthz", "service", "Process up", {"200": answer("Up", Health)}, reads=False
            )
        },
        "/readyz": {
            "get": operation(
                "readyz",
                "service",
                "Database and broker reachable; the parts running degraded",
                {
                    "200": answer("Ready", Readiness),
                    "503": with_headers(answer("Not ready", Readiness), RETRY_AFTER),
                },
                reads=False,
            )
        },
        "/openapi.json": {
            "get": operation(
                "openapi",
                "service",
                "This document",
                {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}},
                reads=False,
            )
        },
    }
