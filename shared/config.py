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
PUBLISH_SECONDS = 5.0  # the public edition's pace (statistical confidentiality on)
SESSION_HOURS = 8.0
AUTH_FAILURE_LIMIT = "10/minute"


@dataclass(frozen=True)
class Settings:
    """Where the database and broker are, the ports, and the workers' timing."""

    database_url: str
    broker_url: str
    ingest_port: int
    web_port: int
    # None: the web draws one and keeps it in the database (shared/app_secrets.py).
    secret_key: str | None
    host: str
    task_seconds: float = TASK_SECONDS
    sweep_seconds: float = SWEEP_SECONDS
    stale_seconds: float = STALE_SECONDS
    # Events per claim of a worker (one transaction): large enough to spread each
    # statement's cost over many events, small enough to keep locks and memory short.
    events_per_claim: int = 20_000
    # After a claim of less than a quarter of that, a worker waits this long before the next.
    claim_pause_seconds: float = 0.25
    # Served over HTTPS (behind a TLS proxy): Secure cookies and Strict-Transport-Security.
    https: bool = False
    # How long an /admin session lasts.
    session_hours: float = SESSION_HOURS
    # Failed authentications allowed per client address (then 429), and where they are counted.
    auth_failure_limit: str = AUTH_FAILURE_LIMIT
    rate_limit_storage: str = "memory://"
    # Reverse proxies in front that set X-Forwarded-For/-Proto (0: the client is the peer).
    proxy_hops: int = 0
    # Statistical confidentiality (shared/confidentiality.py): counts of fewer youths than
    # this in a structure or a month are not shown to readers without a token; 0: off.
    public_min_count: int = 0
    # The workers publish what those readers see at most this often (shared/publication.py).
    publish_seconds: float = PUBLISH_SECONDS

    @property
    def broker_is_embedded(self) -> bool:
        return self.broker_url == EMBEDDED


def default_database_url() -> str:
    """A SQLite file under the working directory, as the spec asks."""
    return f"sqlite:///{Path.cwd() / 'bilan.db'}"


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def rate_limit_storage(broker_url: str, given: str | None) -> str:
    """Where failed authentications are counted: given, else the broker's Redis (shared by
    every replica), else this process's memory."""
    if given:
        return given
    if broker_url.startswith(("redis://", "rediss://")):
        return broker_url
    return "memory://"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings of this process, from ``environ`` (default: the environment)."""
    env = os.environ if environ is None else environ
    broker_url = env.get("BILAN_BROKER_URL") or EMBEDDED
    return Settings(
        database_url=env.get("BILAN_DATABASE_URL") or default_database_url(),
        broker_url=broker_url,
        ingest_port=int(env.get("BILAN_INGEST_PORT") or 8081),
        web_port=int(env.get("BILAN_WEB_PORT") or 8080),
        secret_key=env.get("BILAN_SECRET_KEY") or None,
        host=env.get("BILAN_HOST") or "127.0.0.1",
        task_seconds=float(env.get("BILAN_TASK_SECONDS") or TASK_SECONDS),
        sweep_seconds=float(env.get("BILAN_SWEEP_SECONDS") or SWEEP_SECONDS),
        stale_seconds=float(env.get("BILAN_STALE_SECONDS") or STALE_SECONDS),
        events_per_claim=int(env.get("BILAN_EVENTS_PER_CLAIM") or 20_000),
        claim_pause_seconds=float(env.get("BILAN_CLAIM_PAUSE_SECONDS") or 0.25),
        https=_flag(env.get("BILAN_HTTPS")),
        session_hours=float(env.get("BILAN_SESSION_HOURS") or SESSION_HOURS),
        auth_failure_limit=env.get("BILAN_AUTH_FAILURE_LIMIT") or AUTH_FAILURE_LIMIT,
        rate_limit_storage=rate_limit_storage(broker_url, env.get("BILAN_RATE_LIMIT_STORAGE")),
        proxy_hops=int(env.get("BILAN_PROXY_HOPS") or 0),
        public_min_count=int(env.get("BILAN_PUBLIC_MIN_COUNT") or 0),
        publish_seconds=float(env.get("BILAN_PUBLISH_SECONDS") or PUBLISH_SECONDS),
    )
