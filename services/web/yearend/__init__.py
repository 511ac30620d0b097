"""The year end: declarations, campaigns, consolidation jobs, and their pages.

The API (SPEC §5) and the French pages: ``/declarations`` (the campaign as each role sees it), a
declaration's page, its form and its validation; ``/admin`` (signing in to it:
services/web/signin). The reports a consolidation freezes are served and shown by
services/web/reports/.

The rules are shared.declarations' and shared.consolidation's; they refuse with a
code and no HTTP status, and ``STATUS_OF`` below is where those codes become the API's
statuses (the pages say them in French: declaration_rights.py).
"""

from __future__ import annotations

from flask import Flask, Response

from services.http.errors import error_response
from services.web.layout import NavEntry, add_nav
from services.web.signin.identity import add_home
from services.web.yearend.campaign_window_page import day_with_weekday
from services.web.yearend.routes import api_bp, bp
from shared.declarations.fields import DeclarationError

# The HTTP status of each refusal of shared.declarations; any other code is a 422.
STATUS_OF: dict[str, int] = {
    "forbidden": 403,
    "forbidden_structure": 403,
    "forbidden_region": 403,
    "not_found": 404,
    "already_validated": 409,
    "invalid_transition": 409,
    "campaign_closed": 409,
    "purged_year": 409,
}


def declaration_refused(exc: DeclarationError) -> Response:
    """The JSON error of a refused declaration action."""
    return error_response(STATUS_OF.get(exc.code, 422), exc.code, exc.message)


def init_app(app: Flask) -> None:
    """Add the year end's routes, its menu entries and its refusals' answers."""
    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
    # Where a sign-in lands: the admin's page, or the campaign as the others see it.
    add_home(app, "yearend.admin", ("admin",))
    add_home(app, "yearend.campaign", ("structure", "validator"))
    add_nav(
        app,
        NavEntry("yearend.campaign", "Déclarations", ("structure", "validator", "admin")),
        NavEntry("yearend.admin", "Administration", ("admin",)),
    )
    app.register_error_handler(DeclarationError, declaration_refused)
    app.add_template_filter(day_with_weekday, "weekday_day")
