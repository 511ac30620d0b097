"""The recomputation's generated SQL on the real PostgreSQL (its own ``bit_or``, ``SET LOCAL``,
``ANALYZE``), in one rolled-back transaction: it recomputes what the log holds, every cell."""

from __future__ import annotations

import random
from typing import Any

import pytest
from sqlalchemy import text

from shared.consolidation.snapshot import read_live_year, reconcile
from shared.pipeline.recompute import recompute_from_log, recompute_year
from shared.registry import upsert_structure
from tests.support.events import STRUCTURES, apply_all, record, with_late_targets

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("seed", [1, 2])
def test_recompute_year_on_postgresql_equals_the_log(
    postgres_transaction: tuple[Any, Any], seed: int
) -> None:
    connection, sessions = postgres_transaction
    with sessions.begin() as session:
        for structure_id, fields in STRUCTURES.items():
            upsert_structure(session, structure_id, fields)
    for request in with_late_targets(random.Random(seed)):
        with sessions.begin() as session:
            record(session, request)
    apply_all(sessions)
    with sessions() as session:
        cells = recompute_from_log(session)
    truth = {cell: values for cell, values in cells.items() if cell[0].startswith("2007")}
    assert recompute_year(connection, 2007, months=True) == truth
    assert recompute_year(connection, 2007, months=True, applied_only=True) == truth
    recomputed = {scope: values for (_, scope), values in recompute_year(connection, 2007).items()}
    assert recomputed == {scope: v for (period, scope), v in truth.items() if period == "2007"}
    assert recomputed["national"]["youths_in_contact"] > 0
    assert reconcile(read_live_year(connection, 2007), recomputed) == {}


def test_each_test_starts_from_an_empty_database(postgres_transaction: tuple[Any, Any]) -> None:
    # The previous tests' registry, events and counters were rolled back.
    connection, _ = postgres_transaction
    assert read_live_year(connection, 2007) == {}
    assert connection.execute(text("SELECT count(*) FROM structures")).scalar() == 0
