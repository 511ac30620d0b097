"""The database sessions of a request, from the app's session factories.

``read_session`` does not take SQLite's write lock (its transaction is read-only), nor
does ``read_connection``; ``snapshot_session`` is a read session whose statements all see one
snapshot (an answer built from several reads: shared/publication/edition.py);
``write_session`` opens a session without a transaction yet, ``transaction``
one that commits on success.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from flask import Flask, current_app
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from shared.publication.edition import snapshot
from shared.storage.db import read_session_factory, session_factory


def init_app(app: Flask, engine: Engine) -> None:
    """Give the app its two session factories."""
    app.extensions["sessions"] = session_factory(engine)
    app.extensions["read_sessions"] = read_session_factory(engine)
    app.extensions["read_engine"] = engine.execution_options(readonly=True)


def read_connection() -> Connection:
    """A Core connection that only reads, for a hot path too small for an ORM session
    (use as ``with read_connection() as connection``)."""
    engine: Engine = current_app.extensions["read_engine"]
    return engine.connect()


def read_session() -> Session:
    """A session that only reads (use as ``with read_session() as session``)."""
    session: Session = current_app.extensions["read_sessions"]()
    return session


def snapshot_session() -> Session:
    """A session that only reads, all of it from one snapshot (REPEATABLE READ on PostgreSQL;
    SQLite's read transaction already is one): use as ``with snapshot_session() as session``."""
    session = read_session()
    snapshot(session)
    return session


def write_session() -> Session:
    """A session that may write; the caller commits."""
    session: Session = current_app.extensions["sessions"]()
    return session


def transaction() -> AbstractContextManager[Session]:
    """A session in a transaction, committed on leaving the block (``with … as session``)."""
    begun: AbstractContextManager[Session] = current_app.extensions["sessions"].begin()
    return begun
