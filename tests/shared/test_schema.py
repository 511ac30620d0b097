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


def test_0005_replaces_the_stored_errors_of_failed_jobs(tmp_path) -> None:
    """They held SQL and driver messages, readable without a token."""
    from alembic import command
    from sqlalchemy import text

    from shared.consolidation.jobs import FAILURE_MESSAGE
    from shared.schema import alembic_config

    url = f"sqlite:///{tmp_path / 'm.db'}"
    command.upgrade(alembic_config(url), "0004")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO consolidations (year, status, progress, error, attempt, created_at,"
                " heartbeat_at) VALUES (2007, 'failed', 0.1, 'ProgrammingError: SELECT secret',"
                " 1, '2008-01-01', '2008-01-01')"
            )
        )
    upgrade_database(url)
    with engine.connect() as connection:
        error = connection.execute(text("SELECT error FROM consolidations")).scalar_one()
    assert error == FAILURE_MESSAGE
