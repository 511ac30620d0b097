"""``bilan up [--demo]``: ingest, worker(s) and web in the foreground, with prefixed logs.

Each service runs as its own process (the same entry points as production), so
that ``bilan up`` exercises exactly what a deployment runs.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from typing import IO

import click
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from cli.supervision import stop_all, wait_until_up
from shared.config import load_settings
from shared.db import engine_for, session_factory
from shared.models import EventRow, Structure
from shared.schema import upgrade_database
from shared.tokens import create_token
from simulator.cohort import event_prefix

COLORS = {"ingest": "cyan", "web": "green", "worker": "yellow", "demo": "magenta"}


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "cli.main", *args]


def _relay(name: str, stream: IO[str]) -> None:
    prefix = click.style(f"[{name:<8}]", fg=COLORS.get(name.split("-")[0], "white"))
    for line in stream:
        click.echo(f"{prefix} {line.rstrip()}")


# The demo: the current year streamed live, after the years before it loaded at once.
DEMO_HISTORY_YEARS = 2
DEMO_SCALE = "0.02"
DEMO_SEED = 1


def _recorded(sessions: sessionmaker[Session], prefix: str) -> int:
    """How many events of the log have an id starting with ``prefix`` (a range of the key)."""
    end = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    with sessions() as session:
        count = session.scalar(
            select(func.count())
            .select_from(EventRow)
            .where(EventRow.event_id >= prefix, EventRow.event_id < end)
        )
    return int(count or 0)


def _seed_demo_campaign(sessions: sessionmaker[Session], today: dt.date | None = None) -> None:
    """The previous year's declarations in every state, once (simulator.declarations): an
    admin can then consolidate a year that has ended (README)."""
    from simulator.declarations import seed_campaign

    year = (today or dt.date.today()).year - 1
    with sessions.begin() as session:
        campaign = seed_campaign(session, year, float(DEMO_SCALE), DEMO_SEED)
    if campaign is not None:
        counts = ", ".join(f"{len(ids)} {state}" for state, ids in campaign.states.items())
        missing = len(campaign.missing)
        click.echo(f"demo: the declarations of {year} ({counts}, {missing} missing)")


def _load_demo(sessions: sessionmaker[Session]) -> str:
    from shared.registry import import_structures
    from simulator.registry import demo_structures

    with sessions.begin() as session:
        if not session.scalar(select(func.count()).select_from(Structure)):
            count = import_structures(session, demo_structures())
            click.echo(f"demo registry loaded: {count} structures")
        return create_token(session, "source")


@click.command()
@click.option("--demo", is_flag=True, help="Load a demo registry and stream simulated events.")
@click.option("--workers", default=1, show_default=True, help="Aggregate worker processes.")
@click.option("--demo-rate", default=150, show_default=True, help="Simulated events per second.")
def up(demo: bool, workers: int, demo_rate: int) -> None:
    """Run ingest, workers and web together (Ctrl-C stops them all)."""
    settings = load_settings()
    upgrade_database(settings.database_url)
    sessions = session_factory(engine_for(settings.database_url))
    services = {"ingest": _command("ingest"), "web": _command("web")}
    for n in range(1, workers + 1):
        services[f"worker-{n}" if workers > 1 else "worker"] = _command(
            "worker", "--loglevel", "WARNING"
        )
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    envs: dict[str, dict[str, str]] = {}
    if demo:
        token = _load_demo(sessions)
        _seed_demo_campaign(sessions)
        # A second run carries on where the first stopped: what it recorded is a prefix of
        # the same stream (one client, in order), left out rather than posted again.
        recorded = _recorded(sessions, demo_prefix())
        if recorded:
            click.echo(f"demo: {recorded} simulated events already recorded, carrying on")
        services["demo"], envs["demo"] = demo_command(
            token, settings.ingest_port, demo_rate, env, recorded
        )

    processes: dict[str, subprocess.Popen[str]] = {}
    # A SIGTERM (a supervisor, `timeout`) stops the services as cleanly as Ctrl-C does.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        for name, command in services.items():
            if name == "demo":
                wait_until_up(f"http://127.0.0.1:{settings.ingest_port}/healthz", interval=0.3)
            # The simulator's stdout ends with its truth (one large JSON line): show only
            # its progress, on stderr.
            demo_run = name == "demo"
            process = subprocess.Popen(
                command,
                env=envs.get(name, env),
                stdout=subprocess.DEVNULL if demo_run else subprocess.PIPE,
                stderr=subprocess.PIPE if demo_run else subprocess.STDOUT,
                text=True,
            )
            processes[name] = process
            stream = process.stderr if demo_run else process.stdout
            threading.Thread(target=_relay, args=(name, stream), daemon=True).start()
        wait_until_up(f"http://127.0.0.1:{settings.web_port}/healthz", interval=0.3)
        click.echo(
            click.style(
                f"bilan is up: http://localhost:{settings.web_port}  (Ctrl-C to stop)", bold=True
            )
        )
        while True:
            time.sleep(0.5)
            for name, process in processes.items():
                code = process.poll()
                if code is not None and not (name == "demo" and code == 0):
                    raise click.ClickException(f"{name} stopped (exit code {code})")
    except KeyboardInterrupt:
        click.echo("stopping…")
    finally:
        stop_all(processes.values())


def demo_prefix(today: dt.date | None = None) -> str:
    """How the ids of the demo's events begin (its years end with the current one)."""
    year = (today or dt.date.today()).year
    return event_prefix(year - DEMO_HISTORY_YEARS, year, DEMO_SEED)


def demo_command(
    token: str, ingest_port: int, rate: int, env: dict[str, str], recorded: int = 0
) -> tuple[list[str], dict[str, str]]:
    """The demo simulator's command and environment: the previous years at once, then the
    current one at ``rate``, the first ``recorded`` events left out. The token goes in the
    environment (BILAN_TOKEN), not on the command line, where ps shows it to every user."""
    today = dt.date.today()
    command = _command(
        "simulate", "--years", f"{today.year - DEMO_HISTORY_YEARS}-{today.year}",
        "--scale", DEMO_SCALE, "--seed", str(DEMO_SEED), "--until", today.isoformat(),
        "--backfill", "--skip", str(recorded),
        "--post", f"http://127.0.0.1:{ingest_port}/v1/events",
        "--rate", str(rate), "--batch-size", "50", "--clients", "1",
    )  # fmt: skip
    return command, {**env, "BILAN_TOKEN": token}


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt
