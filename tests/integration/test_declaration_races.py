"""Concurrent declarations of one structure and year, driven step by step on the real
PostgreSQL: whatever the order, both requests succeed as if one came after the other,
and the trail says so (SPEC §5).

Locking the declaration's row serializes submissions and decisions once it exists; the
danger is the first submission, when there is no row to lock yet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from shared.access.tokens import Caller
from shared.declarations.workflow import decide, history, submit
from shared.pipeline import checkpoints
from shared.storage.models.declarations import Declaration
from tests.integration.interleaving import Transaction
from tests.support.declarations import declaration_fields

pytestmark = pytest.mark.postgres

YEAR = 2007
PARIS = "ML-11-001"
STRUCTURE = Caller(2, "structure", frozenset({PARIS}), None)
VALIDATOR = Caller(3, "validator", frozenset(), "11")
HELD = "test:before-commit"


def submitting(professionals: int) -> Callable[[Session], Any]:
    """A structure's submission, held open before its commit."""

    def work(session: Session) -> Any:
        _, created = submit(
            session, STRUCTURE, YEAR, PARIS, declaration_fields(professionals=professionals)
        )
        checkpoints.reached(HELD)
        return created

    return work


@pytest.fixture
def clean(pg: sessionmaker[Session]) -> sessionmaker[Session]:
    with pg.begin() as session:
        for row in session.scalars(select(Declaration).where(Declaration.year == YEAR)):
            session.delete(row)
    return pg


def test_two_first_submissions_at_once_both_succeed_in_order(
    clean: sessionmaker[Session],
) -> None:
    first = Transaction(clean, submitting(20), stop_at=HELD, name="first").start()
    assert first.stopped
    # The second finds no row to lock: it must wait for the first, not fail on its insert.
    second = Transaction(clean, submitting(30), name="second").start()
    assert first.finish() is True
    assert second.finish() is False  # it replaced the first one's declaration
    with clean() as session:
        row = session.get_one(Declaration, (YEAR, PARIS))
        assert (row.status, row.professionals) == ("submitted", 30)
        assert [entry.action for entry in history(session, YEAR, PARIS)] == [
            "submitted",
            "submitted",
        ]


def test_validation_waits_for_a_submission_in_flight(clean: sessionmaker[Session]) -> None:
    Transaction(clean, submitting(20)).start().finish()
    resubmission = Transaction(clean, submitting(25), stop_at=HELD, name="resubmit").start()
    validation = Transaction(
        clean, lambda s: decide(s, VALIDATOR, YEAR, PARIS, "validated"), name="validate"
    ).start()
    assert validation.waiting_for_lock()
    resubmission.finish()
    validation.finish()
    with clean() as session:
        row = session.get_one(Declaration, (YEAR, PARIS))
        # What the validator validated is what the structure submitted last.
        assert (row.status, row.professionals) == ("validated", 25)
