"""The URLs of signing in and out (under ``/connexion`` and ``/admin``, paths the sign-in cookie
is sent to)."""

from __future__ import annotations

from services.http.answers import PageBlueprint
from services.web.signin import pages

bp = PageBlueprint("signin", __name__, template_folder="templates")
bp.add_url_rule("/connexion", view_func=pages.sign_in_page)
bp.add_url_rule("/connexion", view_func=pages.sign_in, methods=["POST"])
bp.add_url_rule("/connexion/deconnexion", view_func=pages.sign_out, methods=["POST"])
bp.add_url_rule("/admin/login", view_func=pages.admin_sign_in, methods=["POST"])
bp.add_url_rule(
    "/admin/logout", view_func=pages.sign_out, endpoint="admin_sign_out", methods=["POST"]
)
