"""The live figures: ``/v1/figures`` and its breakdowns, the dashboard ``/`` and its data, and
its exact edition ``/chiffres-exacts`` for the signed-in."""

from __future__ import annotations

from flask import Flask

from services.web.layout import NavEntry, add_nav
from services.web.live import conditional, public
from services.web.live.routes import bp, data_bp
from shared.access.signins import PAGE_ROLES


def init_app(app: Flask) -> None:
    """Add the live figures' routes to the app, what their conditional reads need, and the
    exact figures to the menu of the signed-in (every role that has pages)."""
    conditional.init_app(app)
    public.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(data_bp)
    add_nav(app, NavEntry("live.exact_index", "Chiffres exacts", PAGE_ROLES))
