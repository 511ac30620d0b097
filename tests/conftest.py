"""Fixtures for every test: a fresh SQLite database per test, a small registry, tokens,
and (for integration tests) PostgreSQL and Redis.

PostgreSQL: one migrated database for the whole session. A test that runs in this
process on one connection takes ``postgres_transaction``: it works inside a
transaction (its own commits are SAVEPOINTs) that is rolled back at the end. A test
whose code opens several connections or starts real processes takes ``postgres_url``:
it commits for real, and the tables are emptied after it.

Tests that need PostgreSQL, Redis or Chromium skip with a visible reason on a
machine without them, and fail in CI (CI=true), where their absence is an error.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from shared.access.tokens import create_token
from shared.registry import StructureFields, upsert_structure
from shared.storage.db import engine_for, make_engine, session_factory
from shared.storage.models.base import Base
from tests.support.events import STRUCTURES, apply_all, event, record
from tests.support.services import POSTGRES_URL, REDIS_URL, missing_service

# The tests of shared/pipeline/counters and ingestion import these from here.
__all__ = ["STRUCTURES", "apply_all", "event", "record"]


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


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """One migrated PostgreSQL database for the session, dropped at its end."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - whatever the reason, the service is missing
        missing_service(f"PostgreSQL unreachable at {POSTGRES_URL}: {exc.__class__.__name__}")
    name = f"bilan_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    from shared.storage.schema import upgrade_database

    upgrade_database(url)
    yield url
    engine_for(url).dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _empty(url: str) -> None:
    """Every table of the schema emptied, ids restarted; other connections ended first (a
    killed worker's, a test's forgotten lock), as DROP DATABASE … WITH (FORCE) would."""
    engine_for(url).dispose()
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with create_engine(url, isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def postgres_url(postgres_database: str) -> Iterator[str]:
    """The session's database, for a test that commits for real; emptied after it."""
    yield postgres_database
    _empty(postgres_database)


@pytest.fixture
def postgres_transaction(postgres_database: str) -> Iterator[tuple[Connection, sessionmaker]]:
    """One connection in a transaction rolled back after the test, and sessions on it whose
    commits are SAVEPOINTs (the model of Warehouse's tests/conftest.py)."""
    engine = engine_for(postgres_database)
    with engine.connect() as connection:
        outer = connection.begin()
        sessions = sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        try:
            yield connection, sessions
        finally:
            outer.rollback()


@pytest.fixture
def redis_url() -> str:
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL)
        client.ping()
    except Exception as exc:  # noqa: BLE001 - whatever the reason, the service is missing
        missing_service(f"Redis unreachable at {REDIS_URL}: {exc.__class__.__name__}")
    client.flushdb()
    return REDIS_URL
