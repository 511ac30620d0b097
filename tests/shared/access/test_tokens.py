"""Tokens: refused at once when revoked or expired, looked up without writing, "last used"
noted apart at most once a minute, listed without their secret."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from shared.access.tokens import (
    UseNotes,
    authenticate,
    create_token,
    extend_token,
    list_tokens,
    revoke_token,
    token_digest,
    token_id_of,
)
from shared.storage.db import engine_for, read_session_factory, session_factory
from shared.storage.models.access import Token


def bearer(secret: str) -> str:
    return f"Bearer {secret}"


def test_a_revoked_token_is_refused(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        secret = create_token(session, "source")
    with sessions() as session:
        caller = authenticate(session, bearer(secret))
        assert caller is not None
    with sessions.begin() as session:
        assert revoke_token(session, caller.token_id)
        assert not revoke_token(session, 9999)
    with sessions() as session:
        assert authenticate(session, bearer(secret)) is None


def test_an_expired_token_is_refused(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        secret = create_token(session, "admin", expires_in=dt.timedelta(hours=1))
        with pytest.raises(ValueError, match="positive"):
            create_token(session, "admin", expires_in=dt.timedelta(0))
    with sessions() as session:
        assert authenticate(session, bearer(secret)) is not None
    with sessions.begin() as session:
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        session.execute(update(Token).values(expires_at=past))
    with sessions() as session:
        assert authenticate(session, bearer(secret)) is None


def _token_writes(engine: Any) -> list[str]:
    """The UPDATEs of the tokens table on ``engine`` from now on (the listener stays: the
    engine is the test's own)."""
    writes: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE TOKENS"):
            writes.append(statement)

    sa_event.listen(engine, "before_cursor_execute", count)
    return writes


def test_authenticating_only_reads(sessions: sessionmaker[Session], database_url: str) -> None:
    with sessions.begin() as session:
        secret = create_token(session, "source")
    engine = engine_for(database_url)
    writes = _token_writes(engine)
    with read_session_factory(engine)() as session:
        assert authenticate(session, bearer(secret)) is not None
    assert writes == []
    (info,) = list_tokens(sessions())
    assert info.last_used_at is None


def test_last_used_is_written_at_most_once_a_minute(
    sessions: sessionmaker[Session], database_url: str
) -> None:
    with sessions.begin() as session:
        secret = create_token(session, "source")
        token_id = token_id_of(session, secret)
    assert token_id is not None
    engine = engine_for(database_url)
    writes = _token_writes(engine)
    notes = UseNotes(session_factory(engine))
    for _ in range(50):  # fifty ingest requests
        notes.note(token_id)
    assert len(writes) == 1
    (info,) = list_tokens(sessions())
    assert info.last_used_at is not None
    assert dt.datetime.now(dt.UTC) - info.last_used_at < dt.timedelta(minutes=1)


def last_used(sessions: sessionmaker[Session]) -> dt.datetime | None:
    with sessions() as session:
        (info,) = list_tokens(session)
    return info.last_used_at


def test_another_process_noted_it_within_the_minute(
    sessions: sessionmaker[Session], database_url: str
) -> None:
    with sessions.begin() as session:
        secret = create_token(session, "source")
        token_id = token_id_of(session, secret)
    assert token_id is not None
    now = dt.datetime.now(dt.UTC)
    UseNotes(sessions).note(token_id, now - dt.timedelta(seconds=30))
    # A second process (its own notes): the row says 30 s ago, it is left as it is.
    UseNotes(sessions).note(token_id, now)
    assert last_used(sessions) == now - dt.timedelta(seconds=30)
    # Past the minute, it is written again.
    UseNotes(sessions).note(token_id, now + dt.timedelta(seconds=31))
    assert last_used(sessions) == now + dt.timedelta(seconds=31)


def test_a_note_that_fails_never_fails_the_request(tmp_path: Any) -> None:
    missing = engine_for(f"sqlite:///{tmp_path / 'no-such-dir' / 'bilan.db'}")
    UseNotes(session_factory(missing)).note(1)  # logged, not raised


def test_the_list_never_shows_a_secret(sessions: sessionmaker[Session], registry: Any) -> None:
    with sessions.begin() as session:
        secret = create_token(session, "structure", ["ML-11-001"], expires_in=dt.timedelta(days=1))
    (info,) = list_tokens(sessions())
    assert (info.role, info.structures, info.last_used_at, info.revoked_at) == (
        "structure",
        ("ML-11-001",),
        None,
        None,
    )
    assert info.expires_at is not None
    shown = repr(info)
    assert secret not in shown and token_digest(secret) not in shown


@pytest.mark.parametrize(
    "role, structures, region",
    [
        ("structure", ["ML-99-001"], None),
        ("source", ["ML-11-001", "ML-99-001"], None),
        ("validator", [], "99"),
        ("validator", [], "93"),  # a region of 2007, but no structure of the registry is in it
    ],
)
def test_a_scope_outside_the_registry_is_refused(
    sessions: sessionmaker[Session], registry: Any, role: str, structures: list[str],
    region: str | None,
) -> None:  # fmt: skip
    with sessions.begin() as session, pytest.raises(ValueError, match="not in the registry"):
        create_token(session, role, structures, region)
    assert list_tokens(sessions()) == []


def test_an_expiring_token_is_extended_until_revoked(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        secret = create_token(session, "source", expires_in=dt.timedelta(minutes=1))
        token_id = token_id_of(session, secret)
        assert token_id is not None
        assert extend_token(session, token_id, dt.timedelta(hours=1))
    with sessions() as session:
        (info,) = list_tokens(session)
    assert info.expires_at is not None
    assert info.expires_at - dt.datetime.now(dt.UTC) > dt.timedelta(minutes=59)
    with sessions.begin() as session:
        revoke_token(session, token_id)
        assert not extend_token(session, token_id, dt.timedelta(hours=1))
        assert not extend_token(session, token_id + 1, dt.timedelta(hours=1))
        assert token_id_of(session, "bilan_unknown") is None
