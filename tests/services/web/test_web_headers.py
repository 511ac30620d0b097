"""Every answer's security headers; no inline script or style in any page (the CSP allows
none); /admin never stored; 405 with Allow; 415 for a body that is not JSON."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from services.ingest import create_app as ingest_app
from tests.support.declarations import DECLARATION
from tests.support.web import bearer, sign_in

PAGES = ["/", "/?year=2007&region=11", "/rapports/2007", "/admin", "/?year=abc"]


@pytest.mark.parametrize("url", [*PAGES, "/v1/figures?year=2007", "/donnees.json", "/healthz"])
def test_security_headers(client: FlaskClient, url: str) -> None:
    headers = client.get(url).headers
    policy = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    for name in ("default-src", "script-src", "style-src"):
        assert directives[name] == "'self'", name
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # plain HTTP here


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style|\sstyle\s*=", re.IGNORECASE)


def inline_parts(html: str) -> list[str]:
    return [
        *INLINE_SCRIPT.findall(html),
        *INLINE_HANDLER.findall(html),
        *INLINE_STYLE.findall(html),
    ]


def test_no_page_holds_inline_code(
    client: FlaskClient, admin_token: str, sessions: Any, database_url: str
) -> None:
    """What the CSP would block: an inline <script>, an on…= handler, a style attribute."""
    from shared.consolidation.jobs import run_job
    from shared.storage.db import engine_for

    job = client.post("/v1/consolidations", json={"year": 2007}, headers=bearer(admin_token))
    run_job(engine_for(database_url), job.get_json()["id"])
    pages = {url: client.get(url).get_data(as_text=True) for url in PAGES}
    sign_in(client, admin_token)
    pages["/admin (signed in)"] = client.get(f"/admin?job={job.get_json()['id']}").get_data(
        as_text=True
    )
    assert "/rapports/2007" in pages and "version 1" in pages["/rapports/2007"]
    for url, html in pages.items():
        assert inline_parts(html) == [], url


def test_the_inline_detector_finds_what_it_looks_for() -> None:
    assert inline_parts('<script>alert(1)</script><button onclick="x()"><p style="">') != []
    clean = '<script src="/a.js"></script><script type="application/json" id="d">{}</script>'
    assert inline_parts(clean) == []


def test_admin_pages_are_never_stored(client: FlaskClient, admin_token: str) -> None:
    assert client.get("/admin").headers["Cache-Control"] == "no-store"
    csrf = sign_in(client, admin_token)
    assert client.get("/admin").headers["Cache-Control"] == "no-store"
    response = client.post("/admin/consolidations", data={"year": "2007", "csrf": csrf})
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        ("POST", "/v1/figures", {"GET", "HEAD", "OPTIONS"}),
        ("DELETE", "/v1/structures/ML-11-001", {"PUT", "OPTIONS"}),
        ("PATCH", "/v1/consolidations", {"GET", "HEAD", "POST", "OPTIONS"}),
        ("GET", "/v1/declarations/2007/ML-11-001/validate", {"POST", "OPTIONS"}),
    ],
)
def test_405_says_what_is_allowed(
    client: FlaskClient, method: str, url: str, allowed: set[str]
) -> None:
    response = client.open(url, method=method)
    assert response.status_code == 405
    assert response.get_json()["error"] == "method_not_allowed"
    assert set(response.headers["Allow"].split(", ")) == allowed


def test_ingest_405_says_what_is_allowed(env: dict[str, str], registry: Any) -> None:
    response = ingest_app({"NOTIFY": False}).test_client().get("/v1/events")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_a_body_not_sent_as_json_is_415(
    client: FlaskClient, admin_token: str, content_type: str | None
) -> None:
    import json

    body = json.dumps(DECLARATION)
    structure = json.dumps({"name": "X", "kind": "paio", "region": "11"})
    for url, data in (
        ("/v1/declarations/2007/ML-11-001", body),
        ("/v1/structures/PAIO-11-009", structure),
    ):
        response = client.put(
            url, data=data, headers=bearer(admin_token), content_type=content_type
        )
        assert (response.status_code, response.get_json()["error"]) == (
            415,
            "unsupported_media_type",
        ), url
    response = client.post(
        "/v1/consolidations",
        data='{"year": 2007}',
        headers=bearer(admin_token),
        content_type=content_type,
    )
    assert response.status_code == 415
