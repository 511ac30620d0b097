"""Liveness, readiness (shared/storage/readiness.py) and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from services.ingest.metrics import metrics_text
from shared.storage.readiness import readiness

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Any:
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz() -> Any:
    state = readiness(
        current_app.extensions["read_sessions"],
        current_app.config["SETTINGS"],
        current_app.extensions["auth_failures"],
    )
    return jsonify(state.document()), 200 if state.ready else 503


@bp.get("/metrics")
def metrics() -> Response:
    with current_app.extensions["read_sessions"]() as session:
        return metrics_text(session)
