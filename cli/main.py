"""``bilan``: the command-line entry point; each subcommand wires shared/ and services/."""

from __future__ import annotations

import datetime as dt
import logging
import signal
import sys
from pathlib import Path
from typing import Any

import click
from sqlalchemy.orm import Session, sessionmaker

from cli.audit import audit
from cli.campaign import campaign
from cli.consolidate import consolidate
from cli.purge import purge
from cli.simulate import simulate
from cli.up import up
from cli.verify import verify
from shared.config import load_settings
from shared.environment import SettingError
from shared.storage.db import engine_for, session_factory


def sessions() -> sessionmaker[Session]:
    """Sessions on the configured database."""
    return session_factory(engine_for(load_settings().database_url))


@click.group()
def main() -> None:
    """bilan: live activity figures of the missions locales network."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    # Every command checks every setting first: a bad value stops it with one line naming
    # the variable, before anything starts.
    try:
        load_settings()
    except SettingError as exc:
        raise click.ClickException(str(exc)) from None


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema to the latest revision."""
    from shared.storage.schema import upgrade_database

    upgrade_database(load_settings().database_url)
    click.echo("schema up to date")


@main.group()
def structures() -> None:
    """The structure registry."""


@structures.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def structures_import(path: Path) -> None:
    """Load FILE.csv (structure_id,name,kind,region[,opened_on,closed_on,email])."""
    from shared.registry import InvalidStructure, import_structures, read_structures_csv

    try:
        rows = read_structures_csv(path)
    except InvalidStructure as exc:
        raise click.ClickException(str(exc)) from None
    from shared.audit.actions import OPERATOR, REGISTRY_IMPORTED, record_action

    with sessions().begin() as session:
        count = import_structures(session, rows)
        record_action(session, OPERATOR, REGISTRY_IMPORTED, path.name, f"{count} structures")
    click.echo(f"{count} structures imported")


_ONE_LINE = str.maketrans("\t\r\n", "   ")


@structures.command("list")
@click.option("--region", default=None, help="Only the structures of this region (INSEE code).")
def structures_list(region: str | None) -> None:
    """List the registry: id, kind, region, name, opening and closing days (tab-separated)."""
    from shared.registry import registry_structures

    with sessions()() as session:
        rows = registry_structures(session, region)
    if region is not None and not rows:
        raise click.ClickException(f"region {region!r} not in the registry: no structure of it")
    click.echo("id\tkind\tregion\tname\topened_on\tclosed_on")
    for row in rows:
        dates = (row.opened_on, row.closed_on)
        days = ["-" if day is None else day.isoformat() for day in dates]
        name = row.name.translate(_ONE_LINE)  # a tab or a newline would shift the columns
        click.echo("\t".join([row.structure_id, row.kind, row.region, name, *days]))
    click.echo(f"{len(rows)} structure(s)", err=True)


_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


class Lifetime(click.ParamType):  # type: ignore[type-arg]
    """A duration written ``<number><m|h|d>``: ``90m``, ``12h``, ``30d``."""

    name = "lifetime"

    def convert(self, value: Any, param: Any, ctx: Any) -> dt.timedelta:
        if isinstance(value, dt.timedelta):
            return value
        text = str(value).strip()
        unit = _UNITS.get(text[-1:])
        if unit is None or not text[:-1].isascii() or not text[:-1].isdigit() or not int(text[:-1]):
            self.fail(f"{value!r} is not a lifetime such as 90m, 12h or 30d", param, ctx)
        return dt.timedelta(**{unit: int(text[:-1])})


@main.group()
def token() -> None:
    """API tokens."""


@token.command("create")
@click.option(
    "--role", required=True, type=click.Choice(["source", "admin", "validator", "structure"])
)
@click.option(
    "--structure", "structure_ids", multiple=True, help="Limit to this structure (repeatable)."
)
@click.option("--region", default=None, help="Region code, for a validator.")
@click.option(
    "--expires-in",
    "expires_in",
    type=Lifetime(),
    default=None,
    help="Refused after this long: 90m, 12h, 30d (default: until revoked).",
)
def token_create(
    role: str, structure_ids: tuple[str, ...], region: str | None, expires_in: dt.timedelta | None
) -> None:
    """Create a token; the token alone is printed on the last line."""
    from shared.access.tokens import create_token, token_id_of
    from shared.audit.actions import OPERATOR, TOKEN_CREATED, record_action

    try:
        with sessions().begin() as session:
            secret = create_token(session, role, list(structure_ids), region, expires_in)
            scope = ",".join(structure_ids) or (f"region {region}" if region else "all")
            target = f"token {token_id_of(session, secret)}"
            record_action(session, OPERATOR, TOKEN_CREATED, target, f"role {role}, {scope}")
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"token created for role {role}; keep it, it is shown once:")
    click.echo(secret)


def _when(moment: dt.datetime | None) -> str:
    return "-" if moment is None else moment.isoformat(timespec="seconds").replace("+00:00", "Z")


@token.command("list")
def token_list() -> None:
    """List the tokens: id, role, scope and dates (never the secret)."""
    from shared.access.tokens import list_tokens

    with sessions()() as session:
        tokens = list_tokens(session)
    click.echo("id\trole\tscope\tcreated\tlast_used\texpires\trevoked")
    for t in tokens:
        scope = ",".join(t.structures) or (f"region {t.region}" if t.region else "all")
        dates = (t.created_at, t.last_used_at, t.expires_at, t.revoked_at)
        click.echo("\t".join([str(t.id), t.role, scope, *(_when(d) for d in dates)]))


@token.command("revoke")
@click.argument("token_id", type=click.IntRange(min=1))
def token_revoke(token_id: int) -> None:
    """Revoke a token at once: every service refuses it, its /admin sessions end."""
    from shared.access.tokens import revoke_token
    from shared.audit.actions import OPERATOR, TOKEN_REVOKED, record_action

    with sessions().begin() as session:
        if not revoke_token(session, token_id):
            raise click.ClickException(f"no token {token_id}")
        record_action(session, OPERATOR, TOKEN_REVOKED, f"token {token_id}")
    click.echo(f"token {token_id} revoked")


def _serve(name: str, app: Any, port: int, threads: int) -> None:
    """Serve a Flask app with waitress, in the foreground, until SIGINT or SIGTERM (either
    stops it cleanly, exit 0); bodies over its limit refused before they are read, many
    idle clients held (cli/serve.py)."""
    from cli.serve import ListenError, check_can_listen, serve

    settings = load_settings()
    signal.signal(signal.SIGTERM, _interrupted)
    port_setting = f"BILAN_{name.upper()}_PORT"
    try:
        check_can_listen(settings.host, port, port_setting)
        click.echo(f"{name} listening on http://{settings.host}:{port}")
        serve(
            app,
            host=settings.host,
            port=port,
            port_setting=port_setting,
            threads=threads,
            ident=f"bilan-{name}",
            max_body=app.config["MAX_CONTENT_LENGTH"],
        )
    except ListenError as exc:
        raise click.ClickException(str(exc)) from None


def _interrupted(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


@main.command()
@click.option("--limit", default=1000, show_default=True, help="At most this many.")
def retractions(limit: int) -> None:
    """List the inert retractions: recorded, but retracting nothing (SPEC §3.2).

    A retraction is inert when its target, recorded, is a retraction or does not
    have the retraction's occurred_on, structure_id and youth_id; the target counts.
    """
    from shared.pipeline.retractions import inert_retractions

    with sessions()() as session:
        found = inert_retractions(session, limit)
    click.echo("retraction\ttarget\treason")
    for inert in found:
        reason = (
            "its target is a retraction"
            if inert.reason == "retraction"
            else f"{inert.reason} differs from its target's"
        )
        click.echo(f"{inert.event_id}\t{inert.target_id}\t{reason}")
    click.echo(f"{len(found)} inert retraction(s)", err=True)


@main.command()
@click.option("--threads", default=8, show_default=True)
def ingest(threads: int) -> None:
    """Run the ingest service (POST /v1/events)."""
    from services.ingest import create_app

    _serve("ingest", create_app(), load_settings().ingest_port, threads)


@main.command()
@click.option("--threads", default=8, show_default=True)
def web(threads: int) -> None:
    """Run the web service (figures, pages)."""
    from services.web import create_app

    _serve("web", create_app(), load_settings().web_port, threads)


@main.command()
@click.option(
    "--concurrency", default=1, show_default=True, help="Worker processes (1: solo pool)."
)
@click.option("--loglevel", default="INFO", show_default=True)
def worker(concurrency: int, loglevel: str) -> None:
    """Run an aggregate worker (Celery)."""
    from services.aggregate.celery_app import app

    pool = ["--pool=solo"] if concurrency == 1 else [f"--concurrency={concurrency}"]
    app.worker_main(
        ["worker", f"--loglevel={loglevel}", "--without-gossip", "--without-mingle", *pool]
    )


# The commands that live in modules of their own.
main.add_command(up)
main.add_command(audit)
main.add_command(simulate)
main.add_command(consolidate)
main.add_command(verify)
main.add_command(campaign)
main.add_command(purge)

if __name__ == "__main__":
    sys.exit(main())
