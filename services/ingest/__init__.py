"""The ingest service: POST /v1/events, recording batches durably before answering 202."""

from __future__ import annotations

from typing import Any

from flask import Flask

from shared.config import load_settings
from shared.db import engine_for, read_session_factory, session_factory
from shared.events import MAX_REQUEST_BYTES


def create_app(settings_override: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    settings = load_settings()
    app.config.update(
        SETTINGS=settings,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        NOTIFY=True,
    )
    if settings_override:
        app.config.update(settings_override)
    engine = engine_for(app.config["SETTINGS"].database_url)
    app.extensions["sessions"] = session_factory(engine)
    app.extensions["read_sessions"] = read_session_factory(engine)

    from services.ingest import events, health, openapi

    app.register_blueprint(events.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(openapi.bp)
    events.register_error_handlers(app)
    return app
