"""The migrations on the real PostgreSQL build exactly the models' schema."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from shared.db import engine_for
from shared.models import Base

pytestmark = pytest.mark.postgres


def test_migrated_postgres_matches_the_models(postgres_database: str) -> None:
    with engine_for(postgres_database).connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
