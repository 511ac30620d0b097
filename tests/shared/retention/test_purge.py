"""The purge on the SQLite default (shared/retention/purge.py): the same three years as on
PostgreSQL (tests/integration/test_postgres_purge.py); every table read back holds no id of
the purged years, every aggregate is unchanged, verify agrees; a blocked year refuses."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

import shared.retention.purge
from shared.consolidation.jobs import consolidate
from shared.pipeline.verify import verify
from shared.retention.eligibility import PURGED, year_states
from shared.retention.purge import PurgeRefused, purge_through
from shared.storage.models.base import Base
from tests.support.retention import aggregates, kept_ids, load, purged_ids


def every_row(engine: Engine) -> str:
    """Every value of every table, as text: what a copy of the file would give away."""
    with engine.connect() as connection:
        return "\n".join(
            "|".join(map(str, row))
            for table in Base.metadata.sorted_tables
            for row in connection.execute(text(f'SELECT * FROM "{table.name}"'))
        )


@pytest.mark.parametrize("chunk", [5000, 2])
def test_a_purge_on_sqlite(
    sessions: sessionmaker[Session], registry: Any, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    # chunk 2: the youths' profiles settled a few at a time, as a national year's million are
    # (more than a statement's parameters) — the same result.
    monkeypatch.setattr(shared.retention.purge, "CHUNK", chunk)
    load(sessions)
    engine = sessions.kw["bind"]
    with pytest.raises(PurgeRefused) as refused:
        purge_through(engine, 2006)  # nothing consolidated yet
    assert set(refused.value.blocked) == {2005, 2006}
    for year in (2005, 2006):
        consolidate(engine, year)
    before = aggregates(engine)

    purge_through(engine, 2006)

    rows = every_row(engine)
    assert not [i for i in purged_ids() if i in rows]
    assert not [i for i in kept_ids() if i not in rows]
    assert aggregates(engine) == before
    assert not verify(engine).differences
    with sessions() as session:
        states = {s.year: s.state for s in year_states(session)}
    assert states == {2005: PURGED, 2006: PURGED, 2007: "live"}
