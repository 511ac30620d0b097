"""The URLs of signing in and out (under ``/connexion``, a path the session cookie is sent to)."""

from __future__ import annotations

from flask import Blueprint

from services.web.signin import pages

bp = Blueprint("signin", __name__, template_folder="templates")
bp.add_url_rule("/connexion", view_func=pages.sign_in_page)
bp.add_url_rule("/connexion", view_func=pages.sign_in, methods=["POST"])
bp.add_url_rule("/connexion/deconnexion", view_func=pages.sign_out, methods=["POST"])
