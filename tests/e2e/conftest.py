"""The real bilan processes of an end-to-end test, stopped at its end."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.processes import Processes, free_port


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "BILAN_HOST": "127.0.0.1"}
    env["BILAN_INGEST_PORT"] = str(free_port())
    env["BILAN_WEB_PORT"] = str(free_port())
    root = Path(__file__).resolve().parents[2]
    env["PYTHONPATH"] = str(root)
    procs = Processes(env, tmp_path)
    try:
        yield procs
    finally:
        procs.stop_all()
