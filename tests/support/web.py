"""The web app on a test database, a token's header, and reading its answers."""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from services.web import create_app
from shared.config import load_settings


def make_app(database_url: str, **overrides: Any) -> Flask:
    """The web app on ``database_url``; jobs are sent to an in-memory broker."""
    settings = replace(load_settings(), database_url=database_url, broker_url="memory://")
    return create_app({"SETTINGS": settings, "TESTING": True, **overrides})


def bearer(token: str) -> dict[str, str]:
    """The ``Authorization`` header of a token."""
    return {"Authorization": f"Bearer {token}"}


NNBSP = "\u202f"  # the narrow no-break space of French numbers


def consolidate_now(client: FlaskClient, token: str, database_url: str, year: int = 2007) -> int:
    """Queue a consolidation through the API and run it here, as a worker would; its version."""
    from shared.consolidation.jobs import run_job
    from shared.storage.db import engine_for

    job = client.post("/v1/consolidations", json={"year": year}, headers=bearer(token))
    assert job.status_code == 202, job.get_data(as_text=True)
    version = run_job(engine_for(database_url), job.get_json()["id"])
    assert version is not None
    return version


def json_of(client: FlaskClient, url: str, status: int = 200) -> dict[str, Any]:
    """The JSON answer of ``url``, checked to have ``status``."""
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    answer: dict[str, Any] = response.get_json()
    return answer


def page_text(client: FlaskClient, url: str = "/", status: int = 200) -> str:
    """The HTML page at ``url``, checked to have ``status``, its entities unescaped."""
    response = client.get(url)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    return html.unescape(response.get_data(as_text=True))


def embedded_json(page: str, element_id: str) -> Any:
    """The data a page embeds for its scripts in ``<script type="application/json" id=…>``."""
    match = re.search(
        rf'<script type="application/json" id="{re.escape(element_id)}">(.*?)</script>', page
    )
    assert match, f"no #{element_id} in the page"
    return json.loads(match.group(1))


def csrf_of(page: str) -> str:
    """The CSRF token of a page's forms."""
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, "no CSRF token in the page"
    return match.group(1)


def sign_in(client: FlaskClient, token: str) -> str:
    """Sign in to /admin with ``token``; the CSRF token of the signed-in page."""
    csrf = csrf_of(client.get("/admin").get_data(as_text=True))
    response = client.post("/admin/login", data={"token": token, "csrf": csrf})
    assert response.status_code == 302, response.get_data(as_text=True)
    return csrf_of(client.get("/admin").get_data(as_text=True))


def connect(client: FlaskClient, token: str) -> str:
    """Sign in on /connexion with ``token`` (any role that has pages); the CSRF token of the
    page it leads to."""
    csrf = csrf_of(client.get("/connexion").get_data(as_text=True))
    response = client.post("/connexion", data={"token": token, "csrf": csrf})
    assert response.status_code == 302, response.get_data(as_text=True)
    return csrf_of(client.get(response.headers["Location"]).get_data(as_text=True))
