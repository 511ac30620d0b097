"""Fixtures of the integration tests: the session's PostgreSQL database with the small
registry, and transactions that can be stopped at the protocols' checkpoints."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from shared.registry import upsert_structure
from shared.storage.db import engine_for, session_factory
from tests.integration.interleaving import stepping
from tests.support.events import STRUCTURES


@pytest.fixture
def pg(postgres_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on the real PostgreSQL, with the small registry; tests.integration.
    interleaving's Transactions may stop at checkpoints meanwhile."""
    sessions = session_factory(engine_for(postgres_url))
    with sessions.begin() as session:
        for structure_id, fields in STRUCTURES.items():
            upsert_structure(session, structure_id, fields)
    with stepping():
        yield sessions
