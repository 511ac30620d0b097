"""The security headers of every answer (Flask-Talisman), and no caching of the signed-in pages.

- ``Content-Security-Policy``: scripts, styles, fonts and images from this origin only,
  no ``unsafe-inline`` (the pages' scripts and styles are static files; their data is in
  ``<script type="application/json">``, which is not run), no framing, forms posted only here.
- ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY``,
  ``Referrer-Policy: same-origin``; ``Strict-Transport-Security`` when ``BILAN_HTTPS``.
- the signed-in pages (``/admin``, ``/connexion``, ``/declarations``, ``/chiffres-exacts``:
  the only ones that see the sign-in cookie): ``Cache-Control: no-store`` (or the route's
  own, if it says no-store already: ``private, no-store``).
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_talisman import Talisman

from services.web.sign_in_cookie import under_cookie_path

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    # The DSFR draws its icons with data: SVGs in its stylesheet.
    "img-src": "'self' data:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def init_app(app: Flask) -> None:
    """Every answer's security headers."""
    https = app.config["SETTINGS"].https
    Talisman(
        app,
        # TLS ends at the reverse proxy: redirecting here would loop; HSTS says it instead.
        force_https=False,
        strict_transport_security=https,
        session_cookie_secure=https,
        frame_options="DENY",
        content_security_policy=CONTENT_SECURITY_POLICY,
        referrer_policy="same-origin",
        x_content_type_options=True,
    )

    @app.after_request
    def _signed_in_not_stored(response: Response) -> Response:
        own = response.headers.get("Cache-Control", "")
        if under_cookie_path(request.path) and "no-store" not in own.split(", "):
            response.headers["Cache-Control"] = "no-store"
        return response
