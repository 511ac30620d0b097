"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text

from services.ingest.metrics import metrics_text
from shared.queue import broker_reachable

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Any:
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz() -> Any:
    checks = {"database": False, "broker": False}
    try:
        with current_app.extensions["read_sessions"]() as session:
            session.execute(text("SELECT 1"))
        checks["database"] = True
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        pass
    checks["broker"] = broker_reachable(current_app.config["SETTINGS"])
    ready = all(checks.values())
    return jsonify(
        {"status": "ready" if ready else "unavailable", "checks": checks}
    ), 200 if ready else 503


@bp.get("/metrics")
def metrics() -> Response:
    with current_app.extensions["read_sessions"]() as session:
        return metrics_text(session)
