"""The web's GET /readyz (SPEC §5: database and broker reachable), as ingest's."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from shared.config import load_settings
from tests.support.web import make_app


def test_ready_when_database_and_broker_answer(database_url: str) -> None:
    answer = make_app(database_url).test_client().get("/readyz")
    assert answer.status_code == 200
    assert answer.get_json()["status"] == "ready"
    assert answer.headers["Cache-Control"] == "no-store"


def test_unavailable_without_the_broker(database_url: str) -> None:
    settings = replace(
        load_settings(), database_url=database_url, broker_url="redis://127.0.0.1:1/0"
    )
    answer = make_app(database_url, SETTINGS=settings).test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.headers["Retry-After"]
    assert answer.get_json()["checks"] == {"database": True, "broker": False}


def test_unavailable_without_the_database(database_url: str, tmp_path: Path) -> None:
    app = make_app(database_url)
    (tmp_path / "bilan.db").unlink()
    (tmp_path / "bilan.db").mkdir()  # a directory where the database file was
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.get_json()["checks"]["database"] is False
