"""The web service: the live figures, the registry and the year end, as JSON and French pages.

One package per feature, each with its routes, response structs, OpenAPI paths and
templates: ``live`` (figures API, dashboard), ``registry`` (structures), ``reports`` (the
frozen reports and their pages), ``yearend`` (declarations, consolidations, admin), ``legal``
(the footer's pages). What they
share is beside them:
``http`` (errors, bodies, roles), ``parameters`` (query and path parameters), ``db``
(database sessions), ``sessions`` (the cookie), ``headers`` (security headers),
``formatting`` (French numbers), ``layout`` (the pages' frame), ``assets`` (vendored
CSS/JS), ``openapi``.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, render_template, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed
from werkzeug.middleware.proxy_fix import ProxyFix

from services.web import (
    assets,
    db,
    headers,
    health,
    http,
    layout,
    legal,
    live,
    openapi,
    registry,
    reports,
    sessions,
    signin,
    yearend,
)
from services.web.http import ApiError, error_response
from shared.config import load_settings
from shared.storage.db import engine_for

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = "5"

# A page's refusal in French, by status, when the route gave no French reason of its own.
PAGE_MESSAGES = {
    400: "La demande n'est pas valide.",
    401: "Cette page demande une connexion.",
    403: "Cette page ne vous est pas ouverte.",
    404: "Cette page n'existe pas.",
    405: "Cette adresse ne s'utilise pas de cette façon.",
    413: "Le formulaire envoyé est trop volumineux.",
    429: "Trop de demandes : réessayez dans un moment.",
    500: "Une erreur inattendue est survenue : réessayez dans un moment.",
    503: "Le service est momentanément indisponible : réessayez dans un moment.",
}
OTHER_REFUSAL = "La demande n'a pas pu aboutir."
# When even the page's frame cannot be drawn (its database is what failed).
BARE_PAGE = (
    '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{title} — bilan'
    "</title></head><body><main><h1>{message}</h1><p>Erreur {status}.</p>"
    '<p><a href="/">Revenir aux chiffres clés</a></p></main></body></html>'
)
INTERNAL = "an unexpected error occurred; the details are in the service's log"


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
    for feature in (signin, live, registry, reports, yearend, legal):
        feature.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(openapi.bp)
    assets.init_app(app)
    register_error_handlers(app)
    return app


def _is_api() -> bool:
    return request.path.startswith("/v1/")


def _is_data() -> bool:
    """The API and the pages' data calls (``/donnees.json``, ``/export.csv``): JSON errors."""
    return _is_api() or request.path.endswith((".json", ".csv"))


def error_page(status: int, message: str | None = None) -> Any:
    """The French DSFR page of a refused or failed page request (templates/error.html); a
    bare French page if even that cannot be drawn."""
    text = message or PAGE_MESSAGES.get(status, OTHER_REFUSAL)
    try:
        body = render_template("error.html", message=text, status=status)
    except Exception:  # the frame needs what failed (the database for a signed-in page)
        log.warning("error page %s drawn without its frame", status, exc_info=True)
        body = BARE_PAGE.format(title=f"Erreur {status}", message=text, status=status)
    return current_app.response_class(body, status, mimetype="text/html")


def register_error_handlers(app: Flask) -> None:
    """JSON errors (SPEC §5) for the API and the pages' data calls; French DSFR pages for
    the pages, every status included (a 500 too: never Flask's English one)."""

    @app.errorhandler(ApiError)
    def _refused(exc: ApiError) -> Any:
        # A page's refusal is a page; the data calls (/donnees.json, /export.csv) answer JSON.
        if not _is_api() and not request.path.endswith((".json", ".csv")):
            return render_template("error.html", message=exc.message, status=exc.status), exc.status
        return error_response(exc.status, exc.code, exc.message)

    @app.errorhandler(InternalServerError)
    def _failed(exc: InternalServerError) -> Any:
        # Flask has logged the exception; the reader gets a plain French page, or JSON.
        if _is_data():
            return error_response(500, "internal_error", INTERNAL)
        return error_page(500)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        if not _is_api():
            # The route's own reason if it gave one (abort(400, "…")), else the French default.
            own = exc.description != type(exc).description and status < 500
            response = error_page(status, exc.description if own else None)
        else:
            code = (exc.name or "error").lower().replace(" ", "_")
            response = error_response(status, code, exc.description or exc.name)
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(OperationalError)
    def _unavailable(exc: OperationalError) -> Any:
        log.warning("database unavailable: %s", exc)
        if _is_data():
            response = error_response(503, "unavailable", "the database is unreachable")
        else:
            response = error_page(503)
        response.headers["Retry-After"] = RETRY_AFTER_SECONDS
        return response
