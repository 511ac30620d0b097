"""Whether a transaction whose COMMIT failed took effect: the honest answer of SPEC §5.

When the connection breaks during a COMMIT, the error alone does not say whether the
server committed: the COMMIT may have reached the disk and only its acknowledgement been
lost. Ingest then asks again, from a new connection, for up to 10 s.

On PostgreSQL it asks about the transaction itself: its id, read just before the COMMIT
(``txid_current()``, one round trip per batch), and ``txid_status(id)`` afterwards —
``committed``, ``aborted`` or ``in progress``. That answer is final as soon as it is not
``in progress``: a backend whose client is gone finishes or aborts its transaction, and
after a crash an unfinished one is aborted. Looking for the batch's row instead would be
as cheap but not certain: its absence proves nothing while the server may still be
running the COMMIT the client lost sight of.

On SQLite the commit runs in this process and is over, either way, once it has raised:
the batch's row in ``batches`` is the answer.
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass
from functools import cache

from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from shared.storage.bulk import is_postgres
from shared.storage.models.log import Batch

# How long to keep asking (SPEC §5), how long one question may take, and the pause
# between two questions.
CHECK_SECONDS = 10.0
QUESTION_SECONDS = 2  # libpq's connect_timeout takes whole seconds, 2 at the least
PAUSE_SECONDS = 0.2


class Outcome(enum.Enum):
    COMMITTED = "committed"
    NOT_COMMITTED = "not_committed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class PendingCommit:
    """What identifies a transaction about to commit, to ask about it afterwards."""

    engine: Engine
    batch_id: str
    transaction_id: int | None  # PostgreSQL's; None on SQLite


def pending_commit(session: Session, batch_id: str) -> PendingCommit:
    """Read, before the COMMIT, what tells afterwards whether it took effect."""
    transaction_id = None
    if is_postgres(session):
        transaction_id = int(session.scalar(text("SELECT txid_current()")))
    return PendingCommit(session.get_bind().engine, batch_id, transaction_id)


def commit_outcome(pending: PendingCommit, seconds: float = CHECK_SECONDS) -> Outcome:
    """Whether the transaction committed, asking again until the answer is final or
    ``seconds`` have passed (then UNKNOWN). No question starts that could end after them."""
    started = time.monotonic()
    deadline = started + seconds
    while True:
        try:
            outcome = _ask(pending)
        except SQLAlchemyError:
            outcome = None  # unreachable, or busy: ask again
        if outcome is not None:
            return outcome
        if time.monotonic() + PAUSE_SECONDS + QUESTION_SECONDS > deadline:
            return Outcome.UNKNOWN
        time.sleep(PAUSE_SECONDS)


def _ask(pending: PendingCommit) -> Outcome | None:
    """The final outcome, or None while the transaction is still in progress."""
    if pending.transaction_id is None:
        # A read transaction: a writing one would queue behind SQLite's write lock.
        with Session(pending.engine.execution_options(readonly=True)) as session:
            found = session.scalar(select(Batch.batch_id).where(Batch.batch_id == pending.batch_id))
        return Outcome.COMMITTED if found is not None else Outcome.NOT_COMMITTED
    with _questions(pending.engine.url.render_as_string(hide_password=False)).connect() as db:
        status = db.scalar(text("SELECT txid_status(:id)"), {"id": pending.transaction_id})
    if status == "in progress":
        return None
    if status == "committed":
        return Outcome.COMMITTED
    if status == "aborted":
        return Outcome.NOT_COMMITTED
    return Outcome.UNKNOWN  # NULL: too old for the server to remember, cannot happen in 10 s


@cache
def _questions(url: str) -> Engine:
    """An engine for the questions: no pool (the pooled connections may all be broken), a
    connection and a statement bounded in time."""
    return create_engine(
        url,
        poolclass=NullPool,
        connect_args={
            "connect_timeout": QUESTION_SECONDS,
            "options": f"-c statement_timeout={QUESTION_SECONDS * 1000}",
        },
    )
