"""The ingest service: POST /v1/events, recording batches durably before answering 202.

Failed authentications are limited per client address (shared/access/auth_failures.py): past
the limit, the 401 of a bad token becomes a 429 with Retry-After. A request with a
valid token is never counted nor held back.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.middleware.proxy_fix import ProxyFix

from shared.access.auth_failures import FailedAuthentications
from shared.config import load_settings
from shared.events import MAX_REQUEST_BYTES
from shared.storage.db import engine_for, read_session_factory, session_factory


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
    settings = app.config["SETTINGS"]
    if settings.proxy_hops:
        # The client's address as the proxies saw it (the limit on failed authentications).
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    engine = engine_for(settings.database_url)
    app.extensions["sessions"] = session_factory(engine)
    app.extensions["read_sessions"] = read_session_factory(engine)

    from services.ingest import events, health, metrics, openapi

    metrics.init_app(app)
    app.register_blueprint(events.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(openapi.bp)
    events.register_error_handlers(app)
    _limit_failed_authentications(app)
    return app


def _limit_failed_authentications(app: Flask) -> None:
    failures = FailedAuthentications(
        app.config["SETTINGS"].rate_limit_storage, app.config["SETTINGS"].auth_failure_limit
    )
    app.extensions["auth_failures"] = failures  # /readyz says where they are counted

    @app.after_request
    def _limit(response: Response) -> Response:
        response.headers["X-Content-Type-Options"] = "nosniff"
        if response.status_code != 401:
            return response
        retry_after = failures.refused(request.remote_addr or "")
        if retry_after is None:
            return response
        limited = jsonify(
            {
                "error": "too_many_requests",
                "message": f"too many failed authentications: retry in {retry_after} s",
            }
        )
        limited.status_code = 429
        limited.headers["Retry-After"] = str(retry_after)
        limited.headers["X-Content-Type-Options"] = "nosniff"
        return limited
