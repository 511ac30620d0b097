"""``bilan audit [--since D]``: the audit log (shared/audit/), for admins at the console — the
admin actions, then the hours of reads of exact figures and declarations, from day D (default:
30 days ago) on, newest first; tab-separated, times in UTC."""

from __future__ import annotations

import datetime as dt

import click

from shared.audit.actions import actions_since, reads_since
from shared.config import load_settings
from shared.storage.db import engine_for, session_factory
from shared.times import as_utc


def _when(moment: dt.datetime) -> str:
    return as_utc(moment).isoformat(timespec="seconds").replace("+00:00", "Z")


@click.command()
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="From this day on (YYYY-MM-DD, UTC); default: the last 30 days.")  # fmt: skip
def audit(since: dt.datetime | None) -> None:
    """Print the admin actions and the reads of exact figures since a day."""
    start = (
        dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
        if since is None
        else since.replace(tzinfo=dt.UTC)
    )
    sessions = session_factory(engine_for(load_settings().database_url))
    with sessions() as session:
        actions = actions_since(session, start)
        reads = reads_since(session, start)
    click.echo("# actions: at\ttoken\trole\tscope\taction\ttarget\tdetail")
    for a in actions:
        token = "-" if a.token_id is None else str(a.token_id)
        fields = (_when(a.at), token, a.role, a.scope, a.action, a.target, a.detail)
        click.echo("\t".join(fields))
    click.echo("# reads: hour\ttoken\tvia\trole\twhat\tscope\tyear")
    for r in reads:
        fields = (_when(r.hour), str(r.token_id), r.via, r.role, r.what, r.scope, str(r.year))
        click.echo("\t".join(fields))
