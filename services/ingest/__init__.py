"""The ingest service: POST /v1/events, recording batches durably before answering 202.

Its HTTP — JSON errors, the body limit, ``ProxyFix``, bearer tokens and the limit on failed
authentications (past it, the 401 of a bad token becomes a 429 with Retry-After; a
request with a valid token is never counted nor held back) — is the layer both services
share (services/http/).
"""

from __future__ import annotations

from typing import Any

from flask import Flask

import services.http
from services.http.answers import Answers
from shared.config import load_settings
from shared.events import MAX_REQUEST_BYTES
from shared.storage.db import engine_for, read_session_factory, session_factory


def create_app(settings_override: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(SETTINGS=load_settings(), NOTIFY=True)
    if settings_override:
        app.config.update(settings_override)
    engine = engine_for(app.config["SETTINGS"].database_url)
    app.extensions["sessions"] = session_factory(engine)
    app.extensions["read_sessions"] = read_session_factory(engine)

    from services.http import probes
    from services.ingest import events, metrics, openapi

    metrics.init_app(app)
    services.http.init_app(app, max_body=MAX_REQUEST_BYTES, unrouted=Answers.JSON)
    app.register_blueprint(events.bp)
    app.register_blueprint(probes.bp)
    app.register_blueprint(openapi.bp)
    return app
