"""The web app of every web test: on the test's SQLite database, with the small registry."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.web import make_app


@pytest.fixture
def app(database_url: str, registry: Any) -> Flask:
    return make_app(database_url)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
