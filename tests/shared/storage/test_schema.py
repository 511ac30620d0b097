"""The Alembic migrations: one head, and they build exactly the models' schema."""

from __future__ import annotations

from alembic import command as alembic_command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, select

from shared.pipeline.live import pending_events, read_figures
from shared.storage.db import engine_for, make_engine, session_factory
from shared.storage.models.base import Base, table_of, utcnow
from shared.storage.models.counters import FigureCounts
from shared.storage.models.registry import Structure, StructureNumber
from shared.storage.schema import alembic_config, migration_heads, upgrade_database
from tests.support.events import STRUCTURES, apply_all, event, live_cells, record


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
    from shared.storage.schema import alembic_config

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


def test_0006l_has_the_workers_rebuild_the_counters_with_the_new_cells(tmp_path) -> None:
    """Structure months and increments of the year to date are counted from the log again.

    The counters are written at the head, then the database is taken down to 0005 (whose
    downgrades leave the cells revision 0005's code wrote: no structure month, no increment)
    and up again."""
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade_database(url)
    sessions = session_factory(engine_for(url))
    with sessions.begin() as session:
        for structure_id, fields in STRUCTURES.items():
            # The registry as revision 0005 has it (the model has columns of later ones).
            session.execute(
                insert(table_of(Structure)).values(
                    structure_id=structure_id, name=fields.name, kind=fields.kind,
                    region=fields.region, updated_at=utcnow(),
                )
            )  # fmt: skip
            session.add(StructureNumber(structure_id=structure_id))
        record(session, [event("1", on="2007-01-05"), event("2", youth="B", on="2007-02-01")])
    apply_all(sessions)
    alembic_command.downgrade(alembic_config(url), "0005")
    with sessions() as session:
        periods = {
            (period, scope.partition(":")[0])
            for period, scope in session.execute(select(FigureCounts.period, FigureCounts.scope))
        }
    assert ("2007-02", "region") in periods
    assert not {p for p in periods if "+" in p[0] or (len(p[0]) == 7 and p[1] == "structure")}
    upgrade_database(url)
    with sessions() as session:
        assert pending_events(session) == 2
    apply_all(sessions)
    cells = live_cells(sessions)
    assert cells[("2007-02", "structure:ML-11-001")]["interviews"] == 1
    assert cells[("2007+02", "national")]["youths_interviewed"] == 1
    with sessions() as session:
        assert read_figures(session, "2007", "national")["youths_interviewed"] == 2
