"""The structure registry: ``GET /v1/structures`` and ``PUT /v1/structures/{id}``."""

from __future__ import annotations

from flask import Flask

from services.web.registry.routes import bp


def init_app(app: Flask) -> None:
    """Add the registry's routes to the app."""
    app.register_blueprint(bp)
