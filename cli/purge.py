"""``bilan purge --through Y``: delete the youth-level records of the years up to Y, every figure
kept (shared/retention/purge.py); refused (exit 1, nothing deleted, the years named) while a
year is not final. Progress goes to stderr, one line per step."""

from __future__ import annotations

import sys

import click

from shared.config import load_settings
from shared.retention.purge import PurgeRefused, purge_through
from shared.storage.db import engine_for


@click.command()
@click.option("--through", "through", type=click.IntRange(1982, 9999), required=True)
def purge(through: int) -> None:
    """Delete every youth-level record of the years up to THROUGH.

    Each year with youth-level records must have no pending event and a latest frozen report
    made after its last event and its last declaration change. Every figure, of every year,
    stays what it was; afterwards those years refuse events, declarations and
    consolidations. An interrupted purge is resumed by running it again.
    """
    engine = engine_for(load_settings().database_url)
    try:
        done = purge_through(engine, through, lambda line: click.echo(f"purge: {line}", err=True))
    except PurgeRefused as exc:
        click.echo(f"purge refused, nothing deleted: {exc}", err=True)
        sys.exit(1)
    events = sum(year.events for year in done)
    click.echo(f"purged through {through}: {len(done)} year(s), {events} events deleted")
