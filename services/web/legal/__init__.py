"""The pages every State site links from its footer (DSFR): the site's plan, the accessibility
statement, the legal notice and what bilan does with personal data.

Their content is honest about this deployment: what bilan itself stores and why, its
accessibility not yet audited; what only the operator knows (who publishes, who hosts, whom
to write to) is marked as left to fill in (templates/_operator.html).
"""

from __future__ import annotations

from flask import Flask

from services.web.legal.routes import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
