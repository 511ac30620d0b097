"""The URLs of the year end: declarations, campaigns, consolidations and their pages — the API
(``api_bp``: answers and refuses in JSON) and the pages (``bp``); the frozen reports have their
own (services/web/reports/)."""

from __future__ import annotations

from services.http.answers import JsonBlueprint, PageBlueprint
from services.web.yearend import (
    admin,
    campaign,
    campaigns,
    consolidations,
    declaration_entry,
    declaration_pages,
    declarations,
    retention_page,
)

bp = PageBlueprint("yearend", __name__, template_folder="templates")
api_bp = JsonBlueprint("yearend_api", __name__)

# The API (SPEC §5).
_DECLARATION = "/v1/declarations/<year>/<structure_id>"
api_bp.add_url_rule("/v1/declarations/<year>", view_func=declarations.get_declarations)
api_bp.add_url_rule(_DECLARATION, view_func=declarations.get_declaration)
api_bp.add_url_rule(_DECLARATION, view_func=declarations.put_declaration, methods=["PUT"])
api_bp.add_url_rule(
    f"{_DECLARATION}/validate", view_func=declarations.validate_declaration, methods=["POST"]
)
api_bp.add_url_rule(
    f"{_DECLARATION}/reject", view_func=declarations.reject_declaration, methods=["POST"]
)

api_bp.add_url_rule("/v1/campaigns/<year>", view_func=campaigns.get_campaign)
api_bp.add_url_rule("/v1/campaigns/<year>", view_func=campaigns.put_campaign, methods=["PUT"])

api_bp.add_url_rule(
    "/v1/consolidations", view_func=consolidations.post_consolidation, methods=["POST"]
)
api_bp.add_url_rule("/v1/consolidations", view_func=consolidations.list_consolidations)
api_bp.add_url_rule("/v1/consolidations/<id>", view_func=consolidations.get_consolidation)

# The signed-in pages of the declarations (the sign-in cookie's path /declarations).
_PAGE = "/declarations/<year>/<structure_id>"
bp.add_url_rule("/declarations", view_func=campaign.campaign)
bp.add_url_rule("/declarations/contact", view_func=campaign.contact_submit, methods=["POST"])
bp.add_url_rule(_PAGE, view_func=declaration_pages.declaration_page)
bp.add_url_rule(f"{_PAGE}/saisie", view_func=declaration_entry.declaration_form)
bp.add_url_rule(f"{_PAGE}/saisie", view_func=declaration_entry.declaration_submit, methods=["POST"])
bp.add_url_rule(
    f"{_PAGE}/validation", view_func=declaration_pages.declaration_validate, methods=["POST"]
)
bp.add_url_rule(f"{_PAGE}/rejet", view_func=declaration_pages.declaration_reject, methods=["POST"])

# The admin's page (the sign-in cookie's path /admin; signing in there: services/web/signin).
bp.add_url_rule("/admin", view_func=admin.admin)
bp.add_url_rule("/admin/donnees-personnelles", view_func=retention_page.retention_page)
bp.add_url_rule("/admin/consolidations", view_func=admin.admin_consolidate, methods=["POST"])
bp.add_url_rule("/admin/campagnes/<year>", view_func=admin.admin_window_save, methods=["POST"])
bp.add_url_rule(
    "/admin/declarations/<year>/<structure_id>/<verdict>",
    view_func=admin.admin_decide,
    methods=["POST"],
)
