"""The migrations on the real PostgreSQL build exactly the models' schema, and carry a
database of an older revision to it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from alembic import command as alembic_command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from shared.storage.db import engine_for
from shared.storage.models.base import Base
from shared.storage.schema import alembic_config, upgrade_database
from tests.support.services import POSTGRES_URL

pytestmark = pytest.mark.postgres


def test_migrated_postgres_matches_the_models(postgres_database: str) -> None:
    with engine_for(postgres_database).connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_the_migrated_tables_keep_the_models_room_for_updates(postgres_database: str) -> None:
    """Alembic's comparison does not see a table's storage options: the fillfactor that keeps
    the claims' updates on their page (HOT) is checked here, table by table."""
    wanted = {
        table.name: f"fillfactor={table.dialect_options['postgresql']['with']['fillfactor']}"
        for table in Base.metadata.sorted_tables
        if table.dialect_options["postgresql"].get("with")
    }
    assert {"figure_counts", "profile_counts", "youth_state", "youth_profiles"} <= set(wanted)
    with engine_for(postgres_database).connect() as connection:
        found = dict(
            connection.execute(
                text("SELECT relname, reloptions FROM pg_class WHERE relname = ANY(:names)"),
                {"names": list(wanted)},
            ).all()
        )
    assert {name: found[name] for name in wanted} == {name: [o] for name, o in wanted.items()}


@pytest.fixture
def empty_database(postgres_database: str) -> Iterator[str]:
    """A new, empty database beside the session's (which makes sure PostgreSQL answers)."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"bilan_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    engine_for(url).dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_a_database_at_0005_is_upgraded_to_the_head(empty_database: str) -> None:
    """0005 → 0006l (the counters rebuilt: every batch pending again) → 0006p (the public
    edition's tables, no batch in any edition yet)."""
    alembic_command.upgrade(alembic_config(empty_database), "0005")
    engine = engine_for(empty_database)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO batches (batch_id, received_at, event_count, duplicates, applied_at)"
                " VALUES ('b1', now(), 3, 0, now())"
            )
        )
    upgrade_database(empty_database)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
        row = connection.execute(text("SELECT applied_at, published_in FROM batches")).one()
        assert tuple(row) == (None, None)
        assert connection.execute(text("SELECT count(*) FROM public_editions")).scalar() == 0
