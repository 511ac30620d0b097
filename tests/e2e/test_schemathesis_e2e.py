"""schemathesis against the real `bilan ingest` and `bilan web` on PostgreSQL: every check,
every phase (examples, coverage, fuzzing, stateful through the documents' links), with an
admin token, a bounded number of examples; zero failures.

What JSON Schema cannot say is in tests/e2e/schemathesis.toml (the rules that make a
schema-valid body a 422, with the SPEC's reason) and tests/e2e/schemathesis_hooks.py
(integers written as JSON integers; NDJSON bodies).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.processes import Processes, free_port, wait_http

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.schemathesis]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
REGISTRY = "structure_id,name,kind,region\n" + "\n".join(
    [
        "ML-11-001,Mission locale de Paris,mission_locale,11",
        "ML-11-002,Mission locale de Saint-Denis,mission_locale,11",
        "PAIO-24-001,PAIO de Chartres,paio,24",
    ]
)
# Bounded: a few minutes for both services on two cores.
EXAMPLES = os.environ.get("BILAN_SCHEMATHESIS_EXAMPLES", "25")
SEED = os.environ.get("BILAN_SCHEMATHESIS_SEED", "2007")


@pytest.fixture(scope="module")
def stack(
    postgres_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Processes, str, str, str]]:
    from tests.conftest import _empty

    tmp = tmp_path_factory.mktemp("schemathesis")
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": str(ROOT),
        "BILAN_HOST": "127.0.0.1",
        "BILAN_DATABASE_URL": postgres_database,
        "BILAN_BROKER_URL": "memory://",
        "BILAN_INGEST_PORT": str(free_port()),
        "BILAN_WEB_PORT": str(free_port()),
        # ignored_auth sends requests without a token on purpose, hundreds of them.
        "BILAN_AUTH_FAILURE_LIMIT": "1000000/minute",
        "BILAN_RATE_LIMIT_STORAGE": "memory://",
    }
    processes = Processes(env, tmp)
    try:
        registry = tmp / "registry.csv"
        registry.write_text(REGISTRY + "\n")
        processes.run("structures", "import", str(registry))
        admin = processes.run("token", "create", "--role", "admin").strip().splitlines()[-1]
        processes.start("ingest", "ingest")
        processes.start("web", "web")
        ingest = f"http://127.0.0.1:{env['BILAN_INGEST_PORT']}"
        web = f"http://127.0.0.1:{env['BILAN_WEB_PORT']}"
        wait_http(f"{ingest}/healthz")
        wait_http(f"{web}/healthz")
        yield processes, admin, ingest, web
    finally:
        processes.stop_all()
        _empty(postgres_database)


def schemathesis(url: str, token: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    """Run schemathesis in ``workdir`` (its caches and reports land there, not in the tree)."""
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file", str(HERE / "schemathesis.toml"),
        "run", f"{url}/openapi.json",
        "--checks", "all",
        "--phases", "examples,coverage,fuzzing,stateful",
        "--max-examples", EXAMPLES,
        "--seed", SEED,
        "--header", f"Authorization: Bearer {token}",
        # One worker: with two threads, hypothesis's ast.parse of its lambdas races in
        # CPython 3.11.7 ("AST constructor recursion depth mismatch", gh-106905).
        "--workers", "1",
        "--no-color",
        "--output-truncate", "true",
        "--report", "junit",
        "--report-junit-path", str(workdir / "junit.xml"),
    ]  # fmt: skip
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.e2e.schemathesis_hooks",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(command, capture_output=True, text=True, timeout=600, env=env, cwd=ROOT)


@pytest.mark.parametrize("service", ["ingest", "web"])
def test_no_failure(stack: tuple[Processes, str, str, str], service: str, tmp_path: Path) -> None:
    processes, admin, ingest, web = stack
    done = schemathesis(ingest if service == "ingest" else web, admin, tmp_path)
    summary = done.stdout[-6000:]
    assert done.returncode == 0, summary + done.stderr[-2000:] + processes.log(service)[-3000:]
    # Every generated case passed (and some were: a run that tested nothing is no pass).
    counts = re.search(r"(\d+) generated, (\d+) passed", summary)
    assert counts and counts[1] == counts[2] and int(counts[1]) > 100, summary
