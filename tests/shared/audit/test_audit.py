"""The audit's domain (shared/audit/): a read noted once per hour however often it repeats,
across processes too; actions appended; rows past the retention deleted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from shared.access.tokens import Caller
from shared.audit.actions import (
    OPERATOR,
    TOKEN_REVOKED,
    actions_since,
    actor_of,
    expire_audit,
    reads_since,
    record_action,
)
from shared.audit.reads import EXACT, TOKEN, Read, ReadNotes
from shared.storage.models.audit import AccessRead, AdminAction

NOW = dt.datetime(2026, 12, 7, 10, 15, tzinfo=dt.UTC)
READ = Read(7, TOKEN, "validator", EXACT, "region:11", 2026)


def rows(sessions: sessionmaker[Session], model: Any) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_read_is_written_once_per_hour(sessions: sessionmaker[Session]) -> None:
    notes, other_process = ReadNotes(sessions), ReadNotes(sessions)
    assert notes.note(READ, NOW)
    assert not notes.note(READ, NOW + dt.timedelta(minutes=40))  # same hour: no write
    assert other_process.note(READ, NOW)  # written again, the conflict ignored
    assert rows(sessions, AccessRead) == 1
    assert notes.note(READ, NOW + dt.timedelta(hours=1))
    assert notes.note(Read(7, TOKEN, "validator", EXACT, "national", 2026), NOW)
    assert rows(sessions, AccessRead) == 3
    with sessions() as session:
        (latest, *_) = reads_since(session, NOW - dt.timedelta(days=1))
    assert latest.hour.replace(tzinfo=dt.UTC) == dt.datetime(2026, 12, 7, 11, tzinfo=dt.UTC)


def test_actions_appended_and_the_audit_expires(sessions: sessionmaker[Session]) -> None:
    admin = actor_of(Caller(3, "admin", frozenset(), None))
    with sessions.begin() as session:
        record_action(session, OPERATOR, TOKEN_REVOKED, "token 5")
        record_action(session, admin, TOKEN_REVOKED, "token 6")
    ReadNotes(sessions).note(READ, NOW - dt.timedelta(days=400))
    ReadNotes(sessions).note(READ, NOW)
    with sessions() as session:
        found = actions_since(session, NOW - dt.timedelta(days=1))
    assert [(a.token_id, a.role, a.scope, a.target) for a in found] == [
        (3, "admin", "national", "token 6"),
        (None, "operator", "command line", "token 5"),
    ]
    with sessions.begin() as session:
        assert expire_audit(session, 365, NOW) == 1  # the read of 400 days ago
    with sessions.begin() as session:
        assert expire_audit(session, 1, NOW + dt.timedelta(days=3)) == 3
    assert rows(sessions, AccessRead) == rows(sessions, AdminAction) == 0
