"""``/vendor/<package>/<file>``: the browser assets installed by npm, served by the app itself.

Offices often sit behind closed networks, so the pages load nothing from a CDN:
the DSFR (State design system) and Chart.js come from ``services/web/frontend/
node_modules``, which ``scripts/install`` fills with ``npm ci`` from the committed
lock file. Nothing from there is copied into the repository.

Without ``node_modules`` the app still works: the pages drop the vendor links and
keep their own stylesheet and server-rendered figures and tables (a log line says so).
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, Response, abort, current_app, send_from_directory

from services.http.answers import PageBlueprint

log = logging.getLogger(__name__)

bp = PageBlueprint("assets", __name__)

NODE_MODULES = Path(__file__).resolve().parent / "frontend" / "node_modules"

# What the pages may load, by the name used in URLs: the package's distribution folder and
# the one file whose presence says the package is installed. Only these folders are served.
PACKAGES: dict[str, tuple[str, str]] = {
    "dsfr": ("@gouvfr/dsfr/dist", "dsfr.min.css"),
    "chart.js": ("chart.js/dist", "chart.umd.min.js"),
}

# Versions are pinned by the lock file, so a browser may keep a file for a day.
MAX_AGE_SECONDS = 24 * 3600


def modules_dir(app: Flask) -> Path:
    """Where the npm packages are (config ``FRONTEND_MODULES`` overrides, for tests)."""
    return Path(app.config.get("FRONTEND_MODULES") or NODE_MODULES)


def installed_packages(app: Flask) -> frozenset[str]:
    """The packages of PACKAGES present on disk."""
    root = modules_dir(app)
    return frozenset(
        name for name, (folder, marker) in PACKAGES.items() if (root / folder / marker).is_file()
    )


def init_app(app: Flask) -> None:
    """Register the route and tell the templates which vendor assets they may link."""
    app.register_blueprint(bp)
    available = installed_packages(app)
    app.config["VENDOR_PACKAGES"] = available
    missing = sorted(set(PACKAGES) - available)
    if missing:
        log.warning(
            "web assets missing (%s) in %s: pages served without them; run scripts/install",
            ", ".join(missing),
            modules_dir(app),
        )

    @app.context_processor
    def _vendor() -> dict[str, frozenset[str]]:
        return {"vendor": app.config["VENDOR_PACKAGES"]}


@bp.get("/vendor/<package>/<path:filename>")
def vendor(package: str, filename: str) -> Response:
    if package not in current_app.config["VENDOR_PACKAGES"]:
        abort(404)
    folder = modules_dir(current_app) / PACKAGES[package][0]
    # send_from_directory refuses paths that leave the folder (``..``, absolute paths).
    return send_from_directory(folder, filename, max_age=MAX_AGE_SECONDS)
