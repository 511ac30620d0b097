"""The web service: the live figures, the registry and the year end, as JSON and French pages.

One package per feature, each with its routes, response structs, OpenAPI paths and
templates: ``live`` (figures API, dashboard), ``registry`` (structures), ``reports`` (the
frozen reports and their pages), ``yearend`` (declarations, campaigns, consolidations, the
admin's page), ``signin`` (signing in and out,
who is signed in), ``legal`` (the footer's pages). What they share is beside them:
``parameters`` (query and path parameters), ``db`` (database sessions),
``sign_in_cookie`` (the cookie of the signed-in pages), ``headers`` (security headers),
``formatting`` (French numbers), ``layout`` (the pages' frame), ``assets`` (vendored
CSS/JS), ``openapi``, ``audit_reads`` (who read exact figures or declarations). Errors,
bodies, bearer tokens and their limit are the HTTP layer both services share (services/http/);
here, ``error_page`` draws a refused page in French.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, render_template
from flask import Response as FlaskResponse

import services.http
from services.http import probes
from services.http.answers import Answers
from services.web import (
    assets,
    audit_reads,
    db,
    headers,
    layout,
    legal,
    live,
    openapi,
    registry,
    reports,
    sign_in_cookie,
    signin,
    yearend,
)
from shared.config import load_settings
from shared.storage.db import engine_for

log = logging.getLogger(__name__)

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
# The largest body a form or an API call may send.
MAX_BODY_BYTES = 1024 * 1024


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """The web app; ``overrides`` replace config keys (``SETTINGS``: another database)."""
    app = Flask(__name__)
    app.config.update(SETTINGS=load_settings())
    if overrides:
        app.config.update(overrides)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    db.init_app(app, engine_for(app.config["SETTINGS"].database_url))
    # Each blueprint says whether it answers JSON or pages; a path no route has is a page,
    # but under the API's /v1/.
    services.http.init_app(
        app, max_body=MAX_BODY_BYTES, unrouted=Answers.PAGES, json_prefix="/v1/", page=error_page
    )
    sign_in_cookie.init_app(app)
    headers.init_app(app)
    layout.init_app(app)
    for feature in (signin, live, registry, reports, yearend, legal):
        feature.init_app(app)
    audit_reads.init_app(app)
    app.register_blueprint(probes.bp)
    app.register_blueprint(openapi.bp)
    assets.init_app(app)
    return app


def error_page(status: int, message: str | None = None) -> FlaskResponse:
    """The French DSFR page of a refused or failed page request (templates/error.html); a
    bare French page if even that cannot be drawn."""
    text = message or PAGE_MESSAGES.get(status, OTHER_REFUSAL)
    try:
        body = render_template("error.html", message=text, status=status)
    except Exception:  # the frame needs what failed (the database for a signed-in page)
        log.warning("error page %s drawn without its frame", status, exc_info=True)
        body = BARE_PAGE.format(title=f"Erreur {status}", message=text, status=status)
    response: FlaskResponse = current_app.response_class(body, status, mimetype="text/html")
    return response
