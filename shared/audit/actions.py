"""The admin actions, appended to ``admin_actions`` in the transaction of the action itself
(a refused or rolled back action leaves no row): tokens created or revoked, registry changes,
consolidations asked for, purges, campaign windows set. Who: the token's id, role and scope
when a token acted; ``OPERATOR`` for the command line (whoever runs it has the database's
credentials), ``WORKERS`` for the retention's own purge.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from shared.access.tokens import Caller
from shared.storage.models.audit import AccessRead, AdminAction
from shared.storage.models.base import utcnow

TOKEN_CREATED = "token.created"
TOKEN_REVOKED = "token.revoked"
STRUCTURE_SAVED = "structure.saved"
REGISTRY_IMPORTED = "registry.imported"
CONSOLIDATION_ASKED = "consolidation.asked"
PURGE = "purge"
CAMPAIGN_WINDOW = "campaign.window"


@dataclass(frozen=True)
class Actor:
    """Who acted, as the audit records it."""

    token_id: int | None
    role: str
    scope: str


OPERATOR = Actor(None, "operator", "command line")
WORKERS = Actor(None, "workers", "BILAN_RETENTION_YEARS")


def scope_of(caller: Caller) -> str:
    """A token's scope as one text: "national", "region:R" or "structure:S,…"."""
    if caller.region:
        return f"region:{caller.region}"
    if caller.structures:
        return "structure:" + ",".join(sorted(caller.structures))
    return "national"


def actor_of(caller: Caller) -> Actor:
    return Actor(caller.token_id, caller.role, scope_of(caller))


def record_action(
    session: Session, actor: Actor, action: str, target: str, detail: str = ""
) -> None:
    """Append an action to the audit log, in the caller's transaction."""
    session.add(
        AdminAction(
            at=utcnow(),
            token_id=actor.token_id,
            role=actor.role,
            scope=actor.scope[:48],
            action=action,
            target=target[:128],
            detail=detail[:500],
        )
    )


def actions_since(
    session: Session, since: dt.datetime, limit: int | None = None
) -> list[AdminAction]:
    """The actions at or after ``since``, newest first."""
    statement = select(AdminAction).where(AdminAction.at >= since).order_by(AdminAction.id.desc())
    return list(session.scalars(statement if limit is None else statement.limit(limit)))


def reads_since(session: Session, since: dt.datetime, limit: int | None = None) -> list[AccessRead]:
    """The hours of reads from ``since`` on, newest first."""
    statement = (
        select(AccessRead)
        .where(AccessRead.hour >= since)
        .order_by(AccessRead.hour.desc(), AccessRead.token_id, AccessRead.scope)
    )
    return list(session.scalars(statement if limit is None else statement.limit(limit)))


def expire_audit(session: Session, days: int, now: dt.datetime | None = None) -> int:
    """Delete the audit's rows older than ``days``; how many."""
    cutoff = (now or utcnow()) - dt.timedelta(days=days)
    gone = 0
    for statement in (
        delete(AccessRead).where(AccessRead.hour < cutoff),
        delete(AdminAction).where(AdminAction.at < cutoff),
    ):
        gone += int(cast(CursorResult[Any], session.execute(statement)).rowcount)
    return gone
