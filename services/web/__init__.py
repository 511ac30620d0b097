"""The web service: the live figures, the registry and the year end, as JSON and French pages.

One package per feature, each with its routes, response structs, OpenAPI paths and
templates: ``live`` (figures API, dashboard), ``registry`` (structures), ``yearend``
(declarations, consolidations, reports, admin). What they share is beside them:
``http`` (errors, bodies, roles), ``parameters`` (query and path parameters), ``db``
(database sessions), ``sessions`` (the cookie), ``headers`` (security headers),
``formatting`` (French numbers), ``layout`` (the pages' frame), ``assets`` (vendored
CSS/JS), ``openapi``.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, render_template, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.middleware.proxy_fix import ProxyFix

from services.web import (
    assets,
    db,
    headers,
    health,
    http,
    layout,
    live,
    openapi,
    registry,
    sessions,
    yearend,
)
from services.web.http import ApiError, error_response
from shared.config import load_settings
from shared.db import engine_for

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = "5"


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """The web app; ``overrides`` replace config keys (``SETTINGS``: another database)."""
    app = Flask(__name__)
    app.config.update(SETTINGS=load_settings(), MAX_CONTENT_LENGTH=1024 * 1024)
    if overrides:
        app.config.update(overrides)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    settings = app.config["SETTINGS"]
    if settings.proxy_hops:
        # The client's address (rate limits) and scheme (Secure cookies) as the proxies saw them.
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    db.init_app(app, engine_for(settings.database_url))
    sessions.init_app(app)
    headers.init_app(app)
    http.init_app(app)
    layout.init_app(app)
    for feature in (live, registry, yearend):
        feature.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(openapi.bp)
    assets.init_app(app)
    register_error_handlers(app)
    return app


def _is_api() -> bool:
    return request.path.startswith("/v1/")


def register_error_handlers(app: Flask) -> None:
    """JSON errors (SPEC §5) for the API; the pages keep Flask's HTML ones."""

    @app.errorhandler(ApiError)
    def _refused(exc: ApiError) -> Any:
        # A page's refusal is a page; the data calls (/donnees.json, /export.csv) answer JSON.
        if not _is_api() and not request.path.endswith((".json", ".csv")):
            return render_template("error.html", message=exc.message), exc.status
        return error_response(exc.status, exc.code, exc.message)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        if not _is_api():
            return exc
        code = (exc.name or "error").lower().replace(" ", "_")
        response = error_response(exc.code or 500, code, exc.description or exc.name)
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(OperationalError)
    def _unavailable(exc: OperationalError) -> Any:
        log.warning("database unavailable: %s", exc)
        if _is_api():
            response = error_response(503, "unavailable", "the database is unreachable")
        else:
            response = app.response_class("Service momentanément indisponible.", 503)
        response.headers["Retry-After"] = RETRY_AFTER_SECONDS
        return response
