"""Engines and sessions, for SQLite (embedded default) and PostgreSQL alike."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})
        _serialize_sqlite_writers(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _serialize_sqlite_writers(engine: Engine) -> None:
    # SQLite has no row locks: every transaction takes the write lock up front
    # (BEGIN IMMEDIATE), so that concurrent processes serialize instead of failing
    # on upgrade from a read to a write lock. WAL lets readers go on meanwhile.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        readonly = connection.get_execution_options().get("readonly", False)
        connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


@cache
def engine_for(url: str) -> Engine:
    """One engine per URL and process."""
    return make_engine(url)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that only read: on SQLite they do not wait for the write lock."""
    return sessionmaker(engine.execution_options(readonly=True), expire_on_commit=False)


@contextmanager
def snapshot_read(engine: Engine) -> Iterator[Connection]:
    """One consistent read of the whole database, in a transaction, without blocking writers
    (``bilan verify``, a consolidation's snapshot)."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            # Not read-only: the recomputation writes a temporary table of its own.
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        else:
            # SQLite in WAL mode: a read transaction sees one snapshot, without the write lock.
            connection = connection.execution_options(readonly=True)
        with connection.begin():
            yield connection


def driver_connection(bind: Session | Connection) -> Any:
    """The DBAPI connection (psycopg or sqlite3) under a session or connection, for what
    only the driver does: binary COPY and arrays, SQLite aggregates."""
    connection = bind.connection() if isinstance(bind, Session) else bind
    driver = connection.connection.driver_connection
    assert driver is not None  # a live connection
    return driver


def upsert(session: Session, model: Any) -> Any:
    """An INSERT that supports ON CONFLICT, in the session's dialect (PostgreSQL or SQLite)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise RuntimeError(f"unsupported database {dialect}")
