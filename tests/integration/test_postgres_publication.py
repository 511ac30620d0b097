"""The public edition on the real PostgreSQL (shared/publication/edition.py): a publication is one
snapshot, whatever a worker commits meanwhile, and the events it lacks are counted exactly;
two publishers at once publish one edition."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from shared.publication.edition import Published, edition_state, publish, snapshot
from shared.storage.db import session_factory
from shared.storage.models.log import Batch
from shared.storage.models.publication import PublishedCell
from tests.integration.interleaving import Transaction
from tests.support.events import apply_all, event, record

pytestmark = pytest.mark.postgres

PARIS_2007 = ("2007", "structure:ML-11-001")


def repeatable(pg: sessionmaker[Session]) -> sessionmaker[Session]:
    """Sessions whose transactions read one snapshot, as the workers' publisher's do."""
    engine = pg.kw["bind"]
    return session_factory(engine.execution_options(isolation_level="REPEATABLE READ"))


def interviewed(pg: sessionmaker[Session], count: int, prefix: str) -> str:
    with pg.begin() as session:
        events = [event(f"{prefix}{n}", "interview", youth=f"{prefix}{n}") for n in range(count)]
        return record(session, events).batch_id


def published_interviewed(pg: sessionmaker[Session]) -> int:
    with pg() as session:
        row = session.get(PublishedCell, PARIS_2007)
        assert row is not None
        return row.youths_interviewed


def test_an_edition_is_its_snapshot_whatever_a_worker_commits_meanwhile(
    pg: sessionmaker[Session],
) -> None:
    interviewed(pg, 6, "a")
    apply_all(pg)
    publisher = Transaction(
        repeatable(pg), lambda session: publish(session, 5), stop_at="publish:read"
    ).start()
    assert publisher.stopped
    # Meanwhile a worker applies two more youths interviewed at Paris, and commits.
    late = interviewed(pg, 2, "b")
    apply_all(pg)
    done: Published = publisher.finish()
    assert done.edition == 1
    assert published_interviewed(pg) == 6  # the snapshot's value, not the live 8
    with pg() as session:
        state = edition_state(session)
        assert state is not None and state.pending_events == 2  # applied after the snapshot
        assert session.get(Batch, late).published_in is None
    with pg.begin() as session:
        snapshot(session)
        assert publish(session, 5) is not None
    assert published_interviewed(pg) == 8
    with pg() as session:
        assert edition_state(session).pending_events == 0  # type: ignore[union-attr]
        assert session.get(Batch, late).published_in == 2


def test_two_publishers_at_once_publish_one_edition(pg: sessionmaker[Session]) -> None:
    interviewed(pg, 6, "a")
    apply_all(pg)
    sessions = repeatable(pg)
    first = Transaction(sessions, lambda s: publish(s, 5), stop_at="publish:read").start()
    assert first.stopped
    second = Transaction(sessions, lambda s: publish(s, 5), name="second").start()
    assert second.finish() is None  # the other one holds the publishers' lock
    assert first.finish() is not None
    with pg() as session:
        editions = session.scalars(select(Batch.published_in).distinct()).all()
    assert editions == [1]
