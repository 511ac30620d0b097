"""``bilan verify [--year Y]``: the live counters against the log, every cell, with a
progress bar; exit 1 on any difference (shared/pipeline/verify.py)."""

from __future__ import annotations

import sys

import click

from cli.progress import progress_bar
from shared.config import load_settings
from shared.pipeline.verify import verify as run_verification
from shared.storage.db import engine_for


@click.command()
@click.option("--year", type=click.IntRange(1982, 9999), default=None, help="Default: every year.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def verify(year: int | None, quiet: bool) -> None:
    """Recompute the figures from the log and compare them with the live counters.

    Every cell is compared: each year and month, nationally, per region, per
    structure. The live counters must equal the figures of the applied batches at
    any moment, so this is exact while events keep arriving.
    """
    engine = engine_for(load_settings().database_url)
    with progress_bar("verify", quiet) as progress:
        result = run_verification(engine, None if year is None else [year], progress)
    years = ", ".join(map(str, result.years)) or "none"
    if result.differences:
        click.echo("period\tscope\tfigure\tlive\trecomputed")
        for d in result.differences:
            click.echo(f"{d.period}\t{d.scope}\t{d.figure}\t{d.live}\t{d.recomputed}")
        click.echo(
            f"verify: {len(result.differences)} difference(s) in {result.cells} cells "
            f"(years {years}; {result.applied_events} events applied, "
            f"{result.pending_events} pending)"
        )
        sys.exit(1)
    click.echo(
        f"verify: {result.cells} cells agree with the log (years {years}; "
        f"{result.applied_events} events applied, {result.pending_events} pending)"
    )
