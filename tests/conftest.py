"""Fixtures for every test: a fresh SQLite database per test, a small registry,
tokens, and (for integration tests) a fresh PostgreSQL database and Redis.

Tests that need PostgreSQL, Redis or Chromium skip with a visible reason on a
machine without them, and fail in CI (CI=true), where their absence is an error.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from shared.counters import apply_batches, claim_pending_batches
from shared.db import engine_for, make_engine, session_factory
from shared.events import decode_elements
from shared.ingestion import Recorded, record_events
from shared.models import Base
from shared.registry import StructureFields, upsert_structure
from shared.tokens import create_token

IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_URL = os.environ.get(
    "BILAN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("BILAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

# A small registry: two regions, three structures.
STRUCTURES = {
    "ML-11-001": StructureFields(
        name="Mission locale de Paris", kind="mission_locale", region="11"
    ),
    "ML-11-002": StructureFields(
        name="Mission locale de Créteil", kind="mission_locale", region="11"
    ),
    "PAIO-24-001": StructureFields(name="PAIO de Chartres", kind="paio", region="24"),
}


def missing_service(reason: str) -> None:
    """Skip, or fail in CI where every service must be there."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: a missing service is a failure)")
    pytest.skip(reason)


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'bilan.db'}"
    Base.metadata.create_all(make_engine(url))
    return url


@pytest.fixture
def sessions(database_url: str) -> sessionmaker[Session]:
    return session_factory(engine_for(database_url))


@pytest.fixture
def registry(sessions: sessionmaker[Session]) -> dict[str, StructureFields]:
    with sessions.begin() as session:
        for structure_id, fields in STRUCTURES.items():
            upsert_structure(session, structure_id, fields)
    return STRUCTURES


@pytest.fixture
def env(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    """Point the processes' configuration at the test database."""
    values = {"BILAN_DATABASE_URL": database_url, "BILAN_BROKER_URL": "memory://"}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


@pytest.fixture
def admin_token(sessions: sessionmaker[Session], registry: Any) -> str:
    with sessions.begin() as session:
        return create_token(session, "admin")


@pytest.fixture
def source_token(sessions: sessionmaker[Session], registry: Any) -> str:
    with sessions.begin() as session:
        return create_token(session, "source")


def event(
    event_id: str,
    type_: str = "interview",
    *,
    on: str = "2007-03-15",
    structure: str = "ML-11-001",
    youth: str = "Y1",
    **extra: Any,
) -> dict[str, Any]:
    """One event as a client would post it."""
    return {
        "event_id": event_id,
        "type": type_,
        "occurred_on": on,
        "structure_id": structure,
        "youth_id": youth,
        **extra,
    }


def record(
    session: Session, events: list[dict[str, Any]], today: dt.date | None = None
) -> Recorded:
    items = decode_elements((msgspec.json.encode(e) for e in events), today)
    return record_events(session, items, None)


def apply_all(sessions: sessionmaker[Session]) -> int:
    """Apply every pending batch, as the workers would; the number applied."""
    applied = 0
    while True:
        with sessions.begin() as session:
            ids = claim_pending_batches(session, 50)
            if not ids:
                return applied
            applied += apply_batches(session, ids).batches


def fresh_postgres_database() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database, dropped afterwards."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001
        missing_service(f"PostgreSQL unreachable at {POSTGRES_URL}: {exc.__class__.__name__}")
    name = f"bilan_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    from shared.schema import upgrade_database

    upgrade_database(url)
    yield url
    engine_for(url).dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


postgres_url = pytest.fixture(fresh_postgres_database, name="postgres_url")
# One database for a whole module, for property tests that reset it between examples.
module_postgres_url = pytest.fixture(
    fresh_postgres_database, name="module_postgres_url", scope="module"
)


@pytest.fixture
def redis_url() -> str:
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL)
        client.ping()
    except Exception as exc:  # noqa: BLE001
        missing_service(f"Redis unreachable at {REDIS_URL}: {exc.__class__.__name__}")
    client.flushdb()
    return REDIS_URL
