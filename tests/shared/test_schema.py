"""The Alembic migrations: one head, and they build exactly the models' schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from shared.db import make_engine
from shared.models import Base
from shared.schema import migration_heads, upgrade_database


def test_one_head() -> None:
    assert len(migration_heads()) == 1


def test_migrations_match_the_models(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade_database(url)
    with make_engine(url).connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_upgrade_twice_is_harmless(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade_database(url)
    upgrade_database(url)
