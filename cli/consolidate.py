"""``bilan consolidate Y``: the year-end consolidation, run in this process, with a progress bar.

It is the very job that ``POST /v1/consolidations`` sends to the workers
(shared.consolidation); if a worker is already running the year's job, the
command follows that one instead of starting another. The report is printed as
JSON on stdout; the progress bar goes to stderr.
"""

from __future__ import annotations

import click

from cli.progress import progress_bar
from shared.audit.actions import CONSOLIDATION_ASKED, OPERATOR, record_action
from shared.config import load_settings
from shared.consolidation.jobs import ConsolidationRefused, check_year_ended
from shared.consolidation.jobs import consolidate as run_consolidation
from shared.report.versions import read_report
from shared.storage.db import engine_for, session_factory


@click.command()
@click.argument("year", type=click.IntRange(1982, 9999))
@click.option("--quiet", is_flag=True, help="No progress bar.")
def consolidate(year: int, quiet: bool) -> None:
    """Consolidate YEAR: recompute it from the log, reconcile, freeze a new report version."""
    try:
        # Before the progress bar: a refusal is one line.
        check_year_ended(year)
    except ConsolidationRefused as exc:
        raise click.ClickException(exc.message) from None
    engine = engine_for(load_settings().database_url)
    try:
        with progress_bar(f"consolidation {year}", quiet) as progress:
            version = run_consolidation(engine, year, progress)
    except ConsolidationRefused as exc:
        raise click.ClickException(exc.message) from None
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    with session_factory(engine).begin() as session:
        record_action(session, OPERATOR, CONSOLIDATION_ASKED, str(year), f"version {version}")
    with session_factory(engine)() as session:
        report = read_report(session, year, version)
    assert report is not None
    click.echo(f"report {year} version {version} frozen (sha256 {report.sha256})", err=True)
    click.echo(report.document)
