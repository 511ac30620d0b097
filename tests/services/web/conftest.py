"""The web app of every web test: on the test's SQLite database, with the small registry;
and a token of every kind."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from shared.access.tokens import create_token
from tests.support.web import make_app


@pytest.fixture
def app(database_url: str, registry: Any) -> Flask:
    return make_app(database_url)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def tokens(sessions: sessionmaker[Session], registry: Any) -> dict[str, str]:
    """A secret by name: an admin, a source, Paris's and Chartres's structure tokens, the
    validators of Île-de-France (11) and Centre (24)."""
    with sessions.begin() as session:
        return {
            "admin": create_token(session, "admin"),
            "source": create_token(session, "source"),
            "paris": create_token(session, "structure", ["ML-11-001"]),
            "chartres": create_token(session, "structure", ["PAIO-24-001"]),
            "idf": create_token(session, "validator", region="11"),
            "centre": create_token(session, "validator", region="24"),
        }
