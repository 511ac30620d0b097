"""Every error of a page is the French DSFR page — a 500 and a 503 too, never Flask's English
one — while the API and the pages' data calls keep their JSON errors."""

from __future__ import annotations

import html
from dataclasses import replace
from typing import Any

from flask import Flask

from services.http.answers import JsonBlueprint, PageBlueprint
from services.web import create_app
from shared.config import load_settings
from tests.support.web import make_app


def failing_app(database_url: str) -> Flask:
    """The app, with routes that fail unexpectedly, as a bug would (not propagated to the
    test: answered as in production): a page's and two that answer JSON."""
    app = make_app(database_url)
    app.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    def boom() -> str:
        raise RuntimeError("SELECT secret FROM somewhere")

    pages = PageBlueprint("boom_pages", __name__)
    pages.add_url_rule("/boom", view_func=boom)
    data = JsonBlueprint("boom_data", __name__)
    data.add_url_rule("/v1/boom", endpoint="api_boom", view_func=boom)
    data.add_url_rule("/boom/donnees.json", endpoint="data_boom", view_func=boom)
    app.register_blueprint(pages)
    app.register_blueprint(data)
    return app


def test_a_failing_page_is_the_french_dsfr_page(database_url: str, registry: Any) -> None:
    client = failing_app(database_url).test_client()
    answer = client.get("/boom")
    assert answer.status_code == 500 and answer.mimetype == "text/html"
    text = html.unescape(answer.get_data(as_text=True))
    assert '<html lang="fr"' in text and "fr-footer" in text and "fr-header" in text
    assert "Une erreur inattendue est survenue : réessayez dans un moment." in text
    assert "Erreur inattendue (erreur 500)." in text
    assert "Internal Server Error" not in text and "SELECT secret" not in text


def test_a_failing_api_call_stays_json(database_url: str, registry: Any) -> None:
    client = failing_app(database_url).test_client()
    for url in ("/v1/boom", "/boom/donnees.json"):
        answer = client.get(url)
        assert answer.status_code == 500 and answer.mimetype == "application/json", url
        body = answer.get_json()
        assert body["error"] == "internal_error"
        assert "SELECT secret" not in body["message"]


def test_other_statuses_of_pages_are_french_too(database_url: str, registry: Any) -> None:
    client = failing_app(database_url).test_client()
    answer = client.delete("/rapports")  # 405
    assert answer.status_code == 405
    assert "Cette adresse ne s'utilise pas de cette façon." in html.unescape(
        answer.get_data(as_text=True)
    )
    assert client.get("/v1/nothing").get_json()["error"] == "not_found"


def test_a_page_without_its_database_is_the_french_503_page(tmp_path: Any) -> None:
    missing = tmp_path / "no-such-dir" / "bilan.db"
    settings = replace(load_settings(), database_url=f"sqlite:///{missing}")
    client = create_app({"SETTINGS": settings}).test_client()
    for url in ("/", "/rapports/2007", "/rapports"):
        answer = client.get(url)
        assert answer.status_code == 503, url
        assert answer.headers["Retry-After"]
        text = html.unescape(answer.get_data(as_text=True))
        assert "Le service est momentanément indisponible : réessayez dans un moment." in text, url
        assert "fr-footer" in text
    # A signed-in page cannot even draw its sign-in form (the session key is in the
    # database): still a French page.
    answer = client.get("/admin")
    assert answer.status_code >= 500
    assert "Revenir aux chiffres clés" in html.unescape(answer.get_data(as_text=True))
    assert client.get("/v1/figures?year=2007").get_json()["error"] == "unavailable"
