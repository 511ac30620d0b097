"""Configuration read from the environment, in one place.

Every process (ingest, worker, web, CLI) reads the same variables, so that the
embedded defaults and a production deployment run the very same code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

EMBEDDED = "embedded"


@dataclass(frozen=True)
class Settings:
    database_url: str
    broker_url: str
    ingest_port: int
    web_port: int
    secret_key: str
    host: str
    # Events per claim of a worker (one transaction): large enough to spread each
    # statement's cost over many events, small enough to keep locks and memory short.
    events_per_claim: int = 20_000

    @property
    def broker_is_embedded(self) -> bool:
        return self.broker_url == EMBEDDED


def default_database_url() -> str:
    """A SQLite file under the working directory, as the spec asks."""
    return f"sqlite:///{Path.cwd() / 'bilan.db'}"


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    return Settings(
        database_url=env.get("BILAN_DATABASE_URL") or default_database_url(),
        broker_url=env.get("BILAN_BROKER_URL") or EMBEDDED,
        ingest_port=int(env.get("BILAN_INGEST_PORT") or 8081),
        web_port=int(env.get("BILAN_WEB_PORT") or 8080),
        secret_key=env.get("BILAN_SECRET_KEY") or "bilan-dev-only-secret",
        host=env.get("BILAN_HOST") or "127.0.0.1",
        events_per_claim=int(env.get("BILAN_EVENTS_PER_CLAIM") or 20_000),
    )
