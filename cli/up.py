"""``bilan up [--demo]``: ingest, worker(s) and web in the foreground, with prefixed logs.

Each service runs as its own process (the same entry points as production), so
that ``bilan up`` exercises exactly what a deployment runs.

Stopping: Ctrl-C (SIGINT), SIGTERM or the terminal's hangup stop every service and
``bilan up`` exits 0 — a stop that was asked for is not an error. The services run in a
process group of their own, so that Ctrl-C reaches ``bilan up`` alone and it stops them
(SIGTERM, then SIGKILL after 10 s); on Linux they also get a SIGTERM if ``bilan up`` dies
without stopping them. A service that stops by itself is an error: ``bilan up`` stops the
others and exits 1, naming it.

The demo posts with a source token of its own that expires an hour after its last
renewal: ``bilan up`` renews it every few minutes while it runs and revokes it when it
stops, so that no run leaves a token that works behind it.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import IO

import click
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from cli.serve import ListenError, check_can_listen
from cli.supervision import stop_all, wait_until_up
from shared.access.tokens import create_token, extend_token, revoke_token, token_id_of
from shared.config import Settings, load_settings
from shared.storage.db import engine_for, session_factory
from shared.storage.models.log import EventRow
from shared.storage.models.registry import Structure
from shared.storage.schema import upgrade_database
from shared.times import paris_today
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


# The demo's token: valid this long after its last renewal, renewed this often.
DEMO_TOKEN_LIFETIME = dt.timedelta(hours=1)
DEMO_TOKEN_RENEWAL_SECONDS = 300.0


def _seed_demo_campaign(sessions: sessionmaker[Session], today: dt.date | None = None) -> None:
    """The previous year's declarations in every state, once (simulator.declarations): an
    admin can then consolidate a year that has ended (docs/operations.md, "The demo")."""
    from simulator.declarations import seed_campaign

    year = (today or dt.date.today()).year - 1
    with sessions.begin() as session:
        campaign = seed_campaign(session, year, float(DEMO_SCALE), DEMO_SEED)
    if campaign is not None:
        counts = ", ".join(f"{len(ids)} {state}" for state, ids in campaign.states.items())
        missing = len(campaign.missing)
        click.echo(f"demo: the declarations of {year} ({counts}, {missing} missing)")


# Where the demo writes its mails when no SMTP relay is set (docs/operations.md, "The demo").
DEMO_MAIL_FOLDER = "bilan-mails"


def _seed_demo_mail(sessions: sessionmaker[Session], today: dt.date | None = None) -> None:
    """The previous year's campaign running: its window open around today (the 14-day
    reminders due at once), the structures' contact addresses (once)."""
    from simulator.declarations import give_demo_addresses, open_demo_window
    from simulator.registry import demo_structures

    today = today or paris_today()
    year = today.year - 1
    with sessions.begin() as session:
        given = give_demo_addresses(session, demo_structures())
        window = open_demo_window(session, year, today)
    if given:
        click.echo(f"demo: contact addresses given to {given} structures")
    if window is not None:
        opens, closes = window
        click.echo(f"demo: the campaign of {year} is open from {opens} to {closes}")


def demo_mail_env(env: dict[str, str], settings: Settings) -> tuple[dict[str, str], str | None]:
    """The services' environment with the demo's mail folder, unless a way out is set; the
    folder, if it is the demo's."""
    if settings.mail_on:
        return env, None
    folder = str(Path.cwd() / DEMO_MAIL_FOLDER)
    return {**env, "BILAN_MAIL_DIR": folder}, folder


def _load_demo(sessions: sessionmaker[Session]) -> tuple[int, str]:
    """Load the demo registry if the registry is empty; the id and secret of a new source
    token for the demo."""
    from shared.registry import import_structures
    from simulator.registry import demo_structures

    with sessions.begin() as session:
        if not session.scalar(select(func.count()).select_from(Structure)):
            count = import_structures(session, demo_structures())
            click.echo(f"demo registry loaded: {count} structures")
        secret = create_token(session, "source", expires_in=DEMO_TOKEN_LIFETIME)
        token_id = token_id_of(session, secret)
        assert token_id is not None
        return token_id, secret


def _renew_demo_token(sessions: sessionmaker[Session], token_id: int) -> None:
    try:
        with sessions.begin() as session:
            extend_token(session, token_id, DEMO_TOKEN_LIFETIME)
    except SQLAlchemyError as exc:  # the next renewal tries again, well before it expires
        click.echo(f"demo token not renewed this time: {exc}", err=True)


def _revoke_demo_token(sessions: sessionmaker[Session], token_id: int) -> None:
    try:
        with sessions.begin() as session:
            revoke_token(session, token_id)
    except SQLAlchemyError as exc:
        click.echo(f"demo token {token_id} not revoked ({exc}): it expires within the hour")


def _check_ports(host: str, ingest_port: int, web_port: int) -> None:
    """ClickException naming the setting unless both ports are free and distinct."""
    if ingest_port == web_port:
        raise click.ClickException(
            f"BILAN_WEB_PORT={web_port} is refused: it is also BILAN_INGEST_PORT"
        )
    try:
        check_can_listen(host, ingest_port, "BILAN_INGEST_PORT")
        check_can_listen(host, web_port, "BILAN_WEB_PORT")
    except ListenError as exc:
        raise click.ClickException(str(exc)) from None


def _start(command: list[str], env: dict[str, str], demo_run: bool) -> subprocess.Popen[str]:
    """A service in a process group of its own (Ctrl-C reaches ``bilan up`` only), stopped
    with ``bilan up`` on Linux. The simulator's stdout ends with its truth (one large JSON
    line): only its progress, on stderr, is shown."""
    return subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL if demo_run else subprocess.PIPE,
        stderr=subprocess.PIPE if demo_run else subprocess.STDOUT,
        text=True,
        process_group=0,
        preexec_fn=_stop_with_parent(os.getpid()) if sys.platform == "linux" else None,
    )


def _stop_with_parent(parent: int) -> Callable[[], None]:
    """What a child runs before it executes its command: ask Linux for a SIGTERM when its
    parent dies (prctl PR_SET_PDEATHSIG)."""
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before fork, not in the child

    def ask() -> None:
        prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent died before it was asked
            os.kill(os.getpid(), signal.SIGTERM)

    return ask


@click.command()
@click.option("--demo", is_flag=True, help="Load a demo registry and stream simulated events.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Aggregate worker processes.",
)
@click.option(
    "--demo-rate", default=150, show_default=True, type=click.IntRange(min=1),
    help="Simulated events per second.",
)  # fmt: skip
def up(demo: bool, workers: int, demo_rate: int) -> None:
    """Run ingest, workers and web together. Ctrl-C (or SIGTERM) stops them all and exits 0;
    a service that stops by itself stops the others and exits 1."""
    settings = load_settings()
    _check_ports(settings.host, settings.ingest_port, settings.web_port)
    processes: dict[str, subprocess.Popen[str]] = {}
    sessions: sessionmaker[Session] | None = None
    demo_token: int | None = None
    # A stop asked for — Ctrl-C, a supervisor's or `timeout`'s SIGTERM, the terminal
    # closing — stops the services as cleanly at any moment, start-up included.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)
    try:
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
            demo_token, secret = _load_demo(sessions)
            _seed_demo_campaign(sessions)
            _seed_demo_mail(sessions)
            env, folder = demo_mail_env(env, settings)
            if folder is not None:
                click.echo(
                    f"demo: mails are written to {folder}/ (no BILAN_SMTP_URL): open the .eml "
                    "files with a mail client or a text editor"
                )
            # A second run carries on where the first stopped: what it recorded is a prefix
            # of the same stream (one client, in order), left out rather than posted again.
            recorded = _recorded(sessions, demo_prefix())
            if recorded:
                click.echo(f"demo: {recorded} simulated events already recorded, carrying on")
            services["demo"], envs["demo"] = demo_command(
                secret, settings.ingest_port, demo_rate, env, recorded
            )
        renew = partial(_renew_demo_token, sessions, demo_token) if demo_token else None
        _run(services, envs, env, processes, settings.ingest_port, settings.web_port, renew)
    except KeyboardInterrupt:
        click.echo("stopping…")
    finally:
        # A second Ctrl-C or SIGTERM must not leave services behind: stop_all kills what
        # lingers after 10 s.
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        stop_all(processes.values())
        if demo_token is not None and sessions is not None:
            _revoke_demo_token(sessions, demo_token)
    click.echo("stopped")


def _run(
    services: dict[str, list[str]], envs: dict[str, dict[str, str]], env: dict[str, str],
    processes: dict[str, subprocess.Popen[str]], ingest_port: int, web_port: int,
    renew: Callable[[], None] | None,
) -> None:  # fmt: skip
    """Start the services, then watch them until one stops by itself (ClickException)."""
    for name, command in services.items():
        demo_run = name == "demo"
        if demo_run:
            wait_until_up(f"http://127.0.0.1:{ingest_port}/healthz", interval=0.3)
        process = _start(command, envs.get(name, env), demo_run)
        processes[name] = process
        stream = process.stderr if demo_run else process.stdout
        threading.Thread(target=_relay, args=(name, stream), daemon=True).start()
    wait_until_up(f"http://127.0.0.1:{web_port}/healthz", interval=0.3)
    click.echo(
        click.style(f"bilan is up: http://localhost:{web_port}  (Ctrl-C to stop)", bold=True)
    )
    renewed = time.monotonic()
    while True:
        time.sleep(0.5)
        for name, process in processes.items():
            code = process.poll()
            if code is not None and not (name == "demo" and code == 0):
                raise click.ClickException(f"{name} stopped (exit code {code})")
        if renew is not None and time.monotonic() - renewed >= DEMO_TOKEN_RENEWAL_SECONDS:
            renew()
            renewed = time.monotonic()


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
