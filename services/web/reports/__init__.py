"""The frozen year-end reports in the web: ``GET /v1/reports/{year}[.csv]`` (SPEC §5) and their
French pages ``/rapports`` and ``/rapports/{year}``, printable on A4.

The report's room: what it is and how it is frozen live in the domain (``shared/report/``:
its keys, its document and CSV, its versions; ``shared/consolidation/``: the jobs that freeze
it); here, how it is served and shown — ``api.py`` (the stored bytes, as frozen), ``pages.py``
(the list and one version's page), ``key_figures.py`` (its "Chiffres clés" blocks and charts),
``field.py`` (what its staff and funding figures cover, said in French). The year end
(``yearend/``) starts the consolidations that freeze a report, and its admin page links here.
"""

from __future__ import annotations

from flask import Flask

from services.web.layout import NavEntry, add_nav
from services.web.reports.routes import api_bp, bp


def init_app(app: Flask) -> None:
    """Add the reports' routes and their menu entry (for everyone)."""
    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
    add_nav(app, NavEntry("reports.report_list", "Rapports"))
