"""`bilan up --demo` on the embedded defaults, as a newcomer runs it: the two previous years
load, the live figures move, a SIGTERM stops every service it started, and a second run on
the same database carries on at once instead of replaying what is recorded. The demo's
token expires unless renewed and is revoked when the run stops: no run leaves a usable
token behind."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.processes import free_port, wait_http

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def children_of(pid: int) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[1]) == pid:
                found.append(int(proc.name))
    return found


def start_up(tmp_path: Path, env: dict[str, str], log_name: str) -> subprocess.Popen[bytes]:
    log = (tmp_path / log_name).open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "cli.main", "up", "--demo", "--demo-rate", "300"],
        cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def contacts_by_year(web_port: int, year: int) -> list[int]:
    series = httpx.get(
        f"http://127.0.0.1:{web_port}/v1/figures/series?from={year - 2}&to={year}"
    ).json()
    return [row["figures"]["youths_in_contact"] for row in series["rows"]]


def usable_tokens(tmp_path: Path, env: dict[str, str]) -> list[list[str]]:
    """The rows of `bilan token list` neither revoked nor expired, on the demo's database."""
    listed = subprocess.run(
        [sys.executable, "-m", "cli.main", "token", "list"], cwd=tmp_path, env=env,
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()[1:]  # fmt: skip
    now = dt.datetime.now(dt.UTC)
    rows = [line.split("\t") for line in listed]
    return [
        r for r in rows if r[6] == "-" and (r[5] == "-" or dt.datetime.fromisoformat(r[5]) > now)
    ]


# The windows below are generous: on a slow two-core machine the demo's backfill of two years
# (SQLite, one worker) took a minute before the live year moved, and the campaign's reminder
# waited behind its claims; the tests leave each loop as soon as what they wait for happens.
def test_up_demo_shows_moving_figures_and_stops_cleanly(tmp_path: Path) -> None:
    web_port, ingest_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BILAN_")}
    env.update(
        BILAN_WEB_PORT=str(web_port), BILAN_INGEST_PORT=str(ingest_port), PYTHONPATH=str(ROOT)
    )
    year = dt.date.today().year
    up = start_up(tmp_path, env, "up.log")
    try:
        wait_http(f"http://127.0.0.1:{web_port}/healthz", seconds=90)
        seen = []
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and len(set(seen)) < 3:
            figures = httpx.get(f"http://127.0.0.1:{web_port}/v1/figures").json()
            assert figures["year"] == year
            seen.append(figures["figures"]["youths_in_contact"])
            time.sleep(2)
        assert len(set(seen)) >= 3 and seen[-1] > seen[0], f"figures did not move: {seen}"
        # The two previous years were loaded before the live one moved.
        history = contacts_by_year(web_port, year)[:2]
        assert min(history) > 0, history
        assert (tmp_path / "bilan.db").exists()  # the embedded default database
        # The previous year's declarations, for an admin to consolidate it (docs/operations.md).
        assert f"demo: the declarations of {year - 1} (" in (tmp_path / "up.log").read_text()
        # The campaign runs: its 14-day reminders are written to the demo's folder of mails.
        mails = tmp_path / "bilan-mails"
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and not list(mails.glob("*_relance_*.eml")):
            time.sleep(1)
        reminders = list(mails.glob("*_relance_*.eml"))
        assert reminders, (tmp_path / "up.log").read_text()[-3000:]
        text = reminders[0].read_text(encoding="utf-8")
        assert f"Subject: Rappel : déclaration ICARE {year - 1} à transmettre avant le" in text
        assert f"http://localhost:{web_port}/declarations/{year - 1}/" in text
        services = children_of(up.pid)
        assert len(services) >= 4  # ingest, web, worker, demo
        (demo_token,) = usable_tokens(tmp_path, env)
        assert demo_token[1:3] == ["source", "all"] and demo_token[5] != "-"  # it expires
    finally:
        up.send_signal(signal.SIGTERM)
        assert up.wait(30) == 0
    time.sleep(1)
    assert [pid for pid in services if Path(f"/proc/{pid}").exists()] == []
    assert usable_tokens(tmp_path, env) == []  # revoked as the run stopped

    # A second run on the same database carries on: nothing replayed, the page moves at once.
    again = start_up(tmp_path, env, "up-again.log")
    try:
        wait_http(f"http://127.0.0.1:{web_port}/healthz", seconds=90)
        assert "carrying on" in (tmp_path / "up-again.log").read_text()
        first = contacts_by_year(web_port, year)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and contacts_by_year(web_port, year)[2] == first[2]:
            time.sleep(1)
        now = contacts_by_year(web_port, year)
        assert now[2] > first[2], f"the live year did not move within 90 s: {first} {now}"
        assert now[:2] == history
        assert len(usable_tokens(tmp_path, env)) == 1  # this run's only
    finally:
        again.send_signal(signal.SIGTERM)
        assert again.wait(30) == 0
    assert usable_tokens(tmp_path, env) == []


def test_up_demo_with_confidentiality_publishes_the_public_edition(tmp_path: Path) -> None:
    """With the rule on (as docker-compose.yml has it), the embedded worker publishes the
    public edition at its pace: the anonymous figures move, one edition at a time."""
    web_port, ingest_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BILAN_")}
    env.update(
        BILAN_WEB_PORT=str(web_port),
        BILAN_INGEST_PORT=str(ingest_port),
        BILAN_PUBLIC_MIN_COUNT="5",
        BILAN_PUBLISH_SECONDS="2",
        PYTHONPATH=str(ROOT),
    )
    up = start_up(tmp_path, env, "up.log")
    try:
        wait_http(f"http://127.0.0.1:{web_port}/healthz", seconds=90)
        editions: dict[str, int] = {}  # as_of (the edition's time) -> youths in contact
        # On SQLite a publication holds the write lock while it protects (ingest waits): with
        # the profile tables, 10-18 s an edition on a slow machine, and the backfill with it.
        deadline = time.monotonic() + 600
        # The two previous years load first; then the current year moves, edition by edition.
        while time.monotonic() < deadline and len(set(editions.values()) - {0}) < 3:
            answer = httpx.get(f"http://127.0.0.1:{web_port}/v1/figures").json()
            contacts = answer["figures"]["youths_in_contact"]
            # One edition, one set of figures, whatever arrives meanwhile.
            assert editions.setdefault(answer["as_of"], contacts) == contacts
            time.sleep(0.5)
        values = [editions[moment] for moment in sorted(editions)]
        assert len(set(values) - {0}) >= 3, f"the public edition did not move: {editions}"
        breakdown = httpx.get(f"http://127.0.0.1:{web_port}/v1/figures/breakdown?by=structure")
        assert all("suppressed" in row for row in breakdown.json()["rows"])
    finally:
        up.send_signal(signal.SIGTERM)
        up.wait(30)
