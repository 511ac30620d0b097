"""The live tests' data: the small year (``applied``) and the dashboard's year (``counted``);
the app with statistical confidentiality on (``public``: BILAN_PUBLIC_MIN_COUNT=5)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from tests.support import small_year
from tests.support.events import apply_all, event, record
from tests.support.web import make_app

MIN_COUNT = 5

# Y1: two structures of region 11, a job; Y2: region 11 then a training in 24 (Centre);
# Y3: CIVIS in and out; Y4: a subsidised job in 24.
DASHBOARD_EVENTS = [
    event("y1-fr", "first_reception", on="2007-01-10", youth="Y1"),
    event("y1-i1", "interview", on="2007-03-15", youth="Y1"),
    event("y1-i2", "interview", on="2007-03-20", structure="ML-11-002", youth="Y1"),
    event(
        "y1-o", "outcome", on="2007-04-01", structure="ML-11-002", youth="Y1", outcome="employment"
    ),
    event("y2-i", "interview", on="2007-02-01", youth="Y2"),
    event("y2-w", "workshop", on="2007-02-05", structure="PAIO-24-001", youth="Y2"),
    event(
        "y2-o", "outcome", on="2007-05-01", structure="PAIO-24-001", youth="Y2", outcome="training"
    ),
    event("y3-c", "contact", on="2007-06-01", youth="Y3", channel="phone"),
    event("y3-ce", "civis_entry", on="2007-06-01", youth="Y3"),
    event("y3-cx", "civis_exit", on="2007-12-01", youth="Y3", exit_reason="durable_employment"),
    event("y4-i", "interview", on="2007-07-01", structure="PAIO-24-001", youth="Y4"),
    event(
        "y4-o",
        "outcome",
        on="2007-07-02",
        structure="PAIO-24-001",
        youth="Y4",
        outcome="subsidized_employment",
    ),
]


@pytest.fixture
def counted(sessions: sessionmaker[Session], registry: Any) -> None:
    with sessions.begin() as session:
        record(session, DASHBOARD_EVENTS)
    apply_all(sessions)


@pytest.fixture
def applied(sessions: sessionmaker[Session], registry: Any) -> None:
    with sessions.begin() as session:
        record(session, small_year.EVENTS)
    apply_all(sessions)


@pytest.fixture
def public_app(database_url: str, registry: Any) -> Flask:
    """The app with statistical confidentiality on: counts below MIN_COUNT withheld."""
    app = make_app(database_url)
    app.config["SETTINGS"] = replace(app.config["SETTINGS"], public_min_count=MIN_COUNT)
    return app


@pytest.fixture
def public(public_app: Flask) -> FlaskClient:
    return public_app.test_client()
