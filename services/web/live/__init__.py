"""The live figures: ``/v1/figures`` and its breakdowns, the dashboard ``/`` and its data."""

from __future__ import annotations

from flask import Flask

from services.web.live import conditional
from services.web.live.routes import bp


def init_app(app: Flask) -> None:
    """Add the live figures' routes to the app, and what their conditional reads need."""
    conditional.init_app(app)
    app.register_blueprint(bp)
