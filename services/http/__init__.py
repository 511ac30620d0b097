"""The HTTP layer both Flask services share (ingest and web): a library, not a service.

What an answer looks like when it refuses (``errors``: ``ApiError``, the JSON error of
SPEC §5, ``Retry-After``), which blueprints answer JSON and which answer pages
(``answers``), the bearer token of a request and the limit on failed authentications
(``bearer``), the JSON bodies (``bodies``), and the building blocks of the OpenAPI
documents (``apidoc``). ``init_app`` wires what every app needs: the body limit,
``ProxyFix`` behind the configured proxies, the failed-authentication counter, and the
error handlers.

May import ``shared/`` (the domain) and Flask; never a service: each service imports this
package, and no service imports another.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from services.http import bearer, errors
from services.http.answers import Answers
from services.http.errors import PageRenderer


def init_app(
    app: Flask,
    *,
    max_body: int,
    unrouted: Answers,
    json_prefix: str | None = None,
    page: PageRenderer | None = None,
) -> None:
    """Wire the shared HTTP layer into ``app``, once its ``SETTINGS`` are final and its
    session factories set (``extensions["sessions"]``, ``["read_sessions"]``).

    ``max_body``: the largest body read (a 413 past it, from ``Content-Length``);
    ``unrouted``: how a request that matched no route is answered (it belongs to no
    blueprint), JSON if its path starts with ``json_prefix``; ``page``: how a page
    answers a refusal (an app without pages answers JSON only).
    """
    app.config["MAX_CONTENT_LENGTH"] = max_body
    settings = app.config["SETTINGS"]
    if settings.proxy_hops:
        # The client's address (the limit on failed authentications) and scheme (Secure
        # cookies) as the proxies saw them.
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    bearer.init_app(app)
    errors.init_app(app, unrouted=unrouted, json_prefix=json_prefix, page=page)
