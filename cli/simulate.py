"""``bilan simulate``: generate a realistic year of events, post or write them, print the truth.

The last line on stdout is the true figures of what was generated (one JSON
object: national, per region, per structure), for comparison with what the
service computes; progress goes to stderr.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import click

from shared.registry import StructureFields

REGISTRY_HELP = (
    "Structures to spread the youths over: 'demo' (the 486 structures of 2007, as "
    "`bilan up --demo` loads them), 'db' (the registry of BILAN_DATABASE_URL) or a CSV file "
    "in the format of `bilan structures import`."
)


def load_registry(source: str) -> list[tuple[str, StructureFields]]:
    """The structures named by ``--registry``."""
    if source == "demo":
        from simulator.registry import demo_structures

        return demo_structures()
    if source == "db":
        from sqlalchemy import select

        from shared.config import load_settings
        from shared.db import engine_for, session_factory
        from shared.models import Structure

        with session_factory(engine_for(load_settings().database_url))() as session:
            rows = session.execute(select(Structure).order_by(Structure.structure_id)).scalars()
            structures = [
                (
                    row.structure_id,
                    StructureFields(
                        name=row.name,
                        kind=row.kind,  # type: ignore[arg-type]
                        region=row.region,
                        opened_on=row.opened_on,
                        closed_on=row.closed_on,
                    ),
                )
                for row in rows
            ]
        if not structures:
            raise click.ClickException(
                "the registry of the database is empty (see `bilan structures import`)"
            )
        return structures
    path = Path(source)
    if not path.is_file():
        raise click.BadParameter(
            f"expected demo, db or an existing CSV file, got {source!r}", param_hint="--registry"
        )
    from shared.registry import InvalidStructure, read_structures_csv

    try:
        return read_structures_csv(path)
    except InvalidStructure as exc:
        raise click.ClickException(str(exc)) from None


@click.command()
@click.option("--year", type=int, required=True, help="The year to simulate.")
@click.option(
    "--scale",
    type=float,
    default=0.01,
    show_default=True,
    help="Share of the 2007 national activity (1.0: 1.13 M youths, about 6.5 M events).",
)
@click.option(
    "--seed", type=int, default=1, show_default=True, help="Same seed, same events and ids."
)
@click.option(
    "--post",
    "post_url",
    metavar="URL",
    help="Ingest to POST to (http://host:8081 or its /v1/events URL).",
)
@click.option(
    "--token",
    envvar="BILAN_TOKEN",
    help="Bearer token of a source (or admin) role, with --post (or BILAN_TOKEN, which "
    "unlike an argument is not shown by ps to the machine's other users).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE.ndjson",
    help="Write the events to this file instead, one per line.",
)
@click.option(
    "--registry", default="demo", show_default=True, metavar="demo|db|FILE.csv", help=REGISTRY_HELP
)
@click.option(
    "--until",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="No event after this day (default: today for the current year).",
)
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=1000, show_default=True)
@click.option(
    "--clients",
    type=click.IntRange(1, 64),
    default=4,
    show_default=True,
    help="Parallel HTTP clients.",
)
@click.option(
    "--rate",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="At most this many events per second (default: as fast as possible).",
)
@click.option(
    "--shuffle",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    metavar="N",
    help="Shuffle the events within a window of N events (arrival order tests).",
)
@click.option(
    "--resend",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Fraction of batches posted twice (duplicate tests).",
)
@click.option(
    "--declarations",
    is_flag=True,
    help="Also PUT and validate each structure's annual declaration (2007 staff and funding "
    "at --scale) through the web service --web, with --token (then an admin token).",
)
@click.option("--web", "web_url", metavar="URL", help="Web service for --declarations.")
def simulate(
    year: int,
    scale: float,
    seed: int,
    post_url: str | None,
    token: str | None,
    out: Path | None,
    registry: str,
    until: dt.datetime | None,
    batch_size: int,
    clients: int,
    rate: float | None,
    shuffle: int,
    resend: float,
    declarations: bool = False,
    web_url: str | None = None,
) -> None:
    """Generate a realistic year of events and print its true figures (JSON, last line).

    At --scale 1.0 the national figures are those of the 2007 report. Exactly one of
    --post URL --token T or --out FILE.ndjson.
    """
    from simulator.generate import YearSimulation
    from simulator.post import PostError, post_events, write_ndjson
    from simulator.quotas import ScaleTooSmall

    if (post_url is None) == (out is None):
        raise click.UsageError("give exactly one of --post URL (with --token) or --out FILE.ndjson")
    if post_url is not None and not token:
        raise click.UsageError("--post needs --token")
    if declarations and not (web_url and token):
        raise click.UsageError("--declarations needs --web URL and an admin --token")
    if out is not None and (shuffle or resend or rate):
        raise click.UsageError("--shuffle, --resend and --rate only apply to --post")
    last_day = until.date() if until else None
    today = dt.date.today()
    if last_day is None and year >= today.year:
        # The ingest rejects events after tomorrow: the current year stops today.
        last_day = today
        click.echo(f"year {year} is not over: events up to {today.isoformat()} only", err=True)

    structures = load_registry(registry)
    try:
        simulation = YearSimulation(year, scale, seed, structures, until=last_day)
    except ScaleTooSmall as exc:
        raise click.BadParameter(str(exc), param_hint="--scale") from None
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None

    started = time.monotonic()
    events = simulation.events()
    if out is not None:
        count = write_ndjson(events, out, total=simulation.estimated_events)
        click.echo(f"{count} events written to {out} in {time.monotonic() - started:.1f} s")
    else:
        assert post_url is not None and token is not None
        try:
            report = post_events(
                events,
                post_url,
                token,
                batch_size=batch_size,
                clients=clients,
                rate=rate,
                shuffle_window=shuffle,
                resend=resend,
                seed=seed,
                total=simulation.estimated_events,
            )
        except PostError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(
            f"{report.events} events posted in {report.batches} batches in {report.seconds:.1f} s: "
            f"{report.accepted} accepted, {report.duplicates} duplicates, "
            f"{report.resent_batches} batches resent, {report.retries} retries"
        )
    truth = simulation.truth()
    if declarations:
        assert web_url is not None and token is not None
        truth["declarations"] = _post_declarations(
            year, scale, seed, structures, web_url, token, truth["national"]["youths_interviewed"]
        )
    click.echo(json.dumps(truth, ensure_ascii=False, separators=(",", ":")))


def _post_declarations(
    year: int,
    scale: float,
    seed: int,
    structures: list[tuple[str, StructureFields]],
    web_url: str,
    token: str,
    youths_interviewed: int,
) -> dict[str, int | float]:
    """Post the year's declarations; their figures once validated (SPEC §4, second table)."""
    import httpx

    from simulator.declarations import post_declarations, simulate_declarations

    simulated = simulate_declarations(year, scale, seed, structures)
    try:
        count = post_declarations(simulated, web_url, token)
    except httpx.HTTPError as exc:
        raise click.ClickException(f"posting the declarations failed: {exc}") from None
    click.echo(f"{count} declarations posted and validated")
    return simulated.truth(youths_interviewed)
