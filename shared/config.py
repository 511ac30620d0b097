"""Configuration read from the environment, in one place.

Every process (ingest, worker, web, CLI) reads the same variables, so that the
embedded defaults and a production deployment run the very same code.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

EMBEDDED = "embedded"

# Timing defaults (seconds); the fault tests shorten them through the environment.
TASK_SECONDS = 30.0  # an apply task hands over to a new one after this long
SWEEP_SECONDS = 5.0  # how often every worker re-sends what waits
STALE_SECONDS = 20.0  # a running consolidation whose heartbeat is older lost its worker


@dataclass(frozen=True)
class Settings:
    """Where the database and broker are, the ports, and the workers' timing."""

    database_url: str
    broker_url: str
    ingest_port: int
    web_port: int
    secret_key: str
    host: str
    task_seconds: float = TASK_SECONDS
    sweep_seconds: float = SWEEP_SECONDS
    stale_seconds: float = STALE_SECONDS
    # Events per claim of a worker (one transaction): large enough to spread each
    # statement's cost over many events, small enough to keep locks and memory short.
    events_per_claim: int = 20_000
    # After a claim of less than a quarter of that, a worker waits this long before the next.
    claim_pause_seconds: float = 0.25
    # Statistical confidentiality (shared/confidentiality.py): counts of fewer youths than
    # this in a structure or a month are not shown to readers without a token; 0: off.
    public_min_count: int = 0

    @property
    def broker_is_embedded(self) -> bool:
        return self.broker_url == EMBEDDED


def default_database_url() -> str:
    """A SQLite file under the working directory, as the spec asks."""
    return f"sqlite:///{Path.cwd() / 'bilan.db'}"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings of this process, from ``environ`` (default: the environment)."""
    env = os.environ if environ is None else environ
    return Settings(
        database_url=env.get("BILAN_DATABASE_URL") or default_database_url(),
        broker_url=env.get("BILAN_BROKER_URL") or EMBEDDED,
        ingest_port=int(env.get("BILAN_INGEST_PORT") or 8081),
        web_port=int(env.get("BILAN_WEB_PORT") or 8080),
        secret_key=env.get("BILAN_SECRET_KEY") or "bilan-dev-only-secret",
        host=env.get("BILAN_HOST") or "127.0.0.1",
        task_seconds=float(env.get("BILAN_TASK_SECONDS") or TASK_SECONDS),
        sweep_seconds=float(env.get("BILAN_SWEEP_SECONDS") or SWEEP_SECONDS),
        stale_seconds=float(env.get("BILAN_STALE_SECONDS") or STALE_SECONDS),
        events_per_claim=int(env.get("BILAN_EVENTS_PER_CLAIM") or 20_000),
        claim_pause_seconds=float(env.get("BILAN_CLAIM_PAUSE_SECONDS") or 0.25),
        public_min_count=int(env.get("BILAN_PUBLIC_MIN_COUNT") or 0),
    )
