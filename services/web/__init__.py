"""The web service: the live figures and the registry as JSON, and the French pages (SPEC §5)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from shared.config import load_settings
from shared.db import engine_for, read_session_factory, session_factory

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = "5"


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """The web app; ``overrides`` replace config keys (``SETTINGS``: another database)."""
    app = Flask(__name__)
    app.config.update(SETTINGS=load_settings(), MAX_CONTENT_LENGTH=1024 * 1024)
    if overrides:
        app.config.update(overrides)
    settings = app.config["SETTINGS"]
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    engine = engine_for(settings.database_url)
    app.extensions["sessions"] = session_factory(engine)
    app.extensions["read_sessions"] = read_session_factory(engine)

    from services.web import figures, health, openapi, pages, structures

    app.register_blueprint(figures.bp)
    app.register_blueprint(structures.bp)
    from services.web import consolidations, declarations, yearend_pages

    app.register_blueprint(declarations.bp)
    app.register_blueprint(consolidations.bp)
    app.register_blueprint(yearend_pages.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(openapi.bp)
    from services.web import assets, dashboard

    assets.init_app(app)
    app.register_blueprint(dashboard.bp)
    register_error_handlers(app)
    return app


def _is_api() -> bool:
    return request.path.startswith("/v1/")


def register_error_handlers(app: Flask) -> None:
    """JSON errors (SPEC §5) for the API; the pages keep Flask's HTML ones."""
    from services.web.figures import QueryError
    from services.web.schemas import error_response

    @app.errorhandler(QueryError)
    def _bad_query(exc: QueryError) -> Any:
        return error_response(exc.status, exc.code, exc.message)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        if not _is_api():
            return exc
        code = (exc.name or "error").lower().replace(" ", "_")
        return error_response(exc.code or 500, code, exc.description or exc.name)

    @app.errorhandler(OperationalError)
    def _unavailable(exc: OperationalError) -> Any:
        log.warning("database unavailable: %s", exc)
        if _is_api():
            response = error_response(503, "unavailable", "the database is unreachable")
        else:
            response = app.response_class("Service momentanément indisponible.", 503)
        response.headers["Retry-After"] = RETRY_AFTER_SECONDS
        return response
