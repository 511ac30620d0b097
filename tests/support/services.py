"""The PostgreSQL and Redis the integration tests use, and what to do when one is missing."""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_URL = os.environ.get(
    "BILAN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("BILAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def missing_service(reason: str) -> None:
    """Skip, or fail in CI where every service must be there."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: a missing service is a failure)")
    pytest.skip(reason)
