"""What ``/readyz`` of every service answers: whether the database and the broker are
reachable (SPEC §5: the service is ready when both are), and which parts run degraded.

A degraded part keeps the service working in a lesser way — the limit on failed
authentications counted per process while its shared store is unreachable — so it is
named, without making the service unready: a load balancer must not take every replica
out because Redis, which only counts failures and carries wake-up calls, blinked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from shared.access.auth_failures import FailedAuthentications
from shared.config import Settings
from shared.pipeline.queue import broker_reachable


@dataclass(frozen=True)
class Readiness:
    database: bool
    broker: bool
    # Part -> why it runs degraded.
    degraded: dict[str, str] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return self.database and self.broker

    def document(self) -> dict[str, object]:
        """The JSON answer of ``/readyz``."""
        return {
            "status": "ready" if self.ready else "unavailable",
            "checks": {"database": self.database, "broker": self.broker},
            "degraded": dict(self.degraded),
        }


def readiness(
    read_sessions: sessionmaker[Session], settings: Settings, failures: FailedAuthentications
) -> Readiness:
    """Ask the database, the broker and the store of failed authentications, now."""
    try:
        with read_sessions() as session:
            session.execute(text("SELECT 1"))
        database = True
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        database = False
    degraded = {}
    why = failures.degraded()
    if why is not None:
        degraded["auth_failure_limit"] = why
    return Readiness(database, broker_reachable(settings), degraded)
