"""The web app on a test database, and the header of a token."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Flask

from services.web import create_app
from shared.config import load_settings


def make_app(database_url: str, **overrides: Any) -> Flask:
    """The web app on ``database_url``; jobs are sent to an in-memory broker."""
    settings = replace(load_settings(), database_url=database_url, broker_url="memory://")
    return create_app({"SETTINGS": settings, "TESTING": True, **overrides})


def bearer(token: str) -> dict[str, str]:
    """The ``Authorization`` header of a token."""
    return {"Authorization": f"Bearer {token}"}
