"""``bilan simulate``: generate a realistic year of events, post or write them, print the truth.

The last line on stdout is the true figures of what was generated (one JSON
object: national, per region, per structure), for comparison with what the
service computes; progress goes to stderr.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
        from shared.config import load_settings
        from shared.registry import registry_fields
        from shared.storage.db import engine_for, session_factory

        with session_factory(engine_for(load_settings().database_url))() as session:
            structures = registry_fields(session)
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


def parse_years(value: str | None) -> tuple[int, int] | None:
    """``--years 2005-2007``: the first and last year."""
    if value is None:
        return None
    first, dash, last = value.partition("-")
    if not (dash and first.isdigit() and last.isdigit() and int(first) <= int(last)):
        raise click.BadParameter(f"expected FIRST-LAST, e.g. 2005-2007, got {value!r}")
    return int(first), int(last)


@click.command()
@click.option("--year", type=int, help="The year to simulate.")
@click.option(
    "--years",
    "years_range",
    metavar="FIRST-LAST",
    help="Consecutive years instead (2005-2007): youths carried over, the last year at --scale, "
    "each earlier one a few per cent less; the truth then has one entry per year.",
)
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
    "--backfill",
    is_flag=True,
    help="With --years and --post: the years before the last first, as fast as possible in "
    "batches of 1000 by one client, then the last year as --rate, --batch-size and --clients "
    "say (what `bilan up --demo` does: the history at once, then the live year).",
)
@click.option(
    "--skip",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    metavar="N",
    help="Leave out the first N events of the stream (those an interrupted run posted); the "
    "truth still covers them all.",
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
    year: int | None,
    years_range: str | None,
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
    backfill: bool = False,
    skip: int = 0,
    declarations: bool = False,
    web_url: str | None = None,
) -> None:
    """Generate a realistic year (or years) of events and print the true figures (JSON, last
    line).

    At --scale 1.0 the national figures are those of the 2007 report. Exactly one of
    --year Y or --years FIRST-LAST, and one of --post URL --token T or --out FILE.ndjson.
    """
    from simulator.generate import YearSimulation
    from simulator.post import PostError, PostReport, post_events, write_ndjson
    from simulator.quotas import ScaleTooSmall
    from simulator.years import YearsSimulation

    span = parse_years(years_range)
    if (year is None) == (span is None):
        raise click.UsageError("give exactly one of --year Y or --years FIRST-LAST")
    if (post_url is None) == (out is None):
        raise click.UsageError("give exactly one of --post URL (with --token) or --out FILE.ndjson")
    if post_url is not None and not token:
        raise click.UsageError("--post needs --token")
    if declarations and not (web_url and token):
        raise click.UsageError("--declarations needs --web URL and an admin --token")
    if out is not None and (shuffle or resend or rate or backfill):
        raise click.UsageError("--shuffle, --resend, --rate and --backfill only apply to --post")
    if backfill and span is None:
        raise click.UsageError("--backfill needs --years")
    first, last = span if span is not None else (year, year)
    assert first is not None and last is not None
    last_day = until.date() if until else None
    today = dt.date.today()
    if last_day is None and last >= today.year:
        # The ingest rejects events after tomorrow: the current year stops today.
        last_day = today
        click.echo(f"year {last} is not over: events up to {today.isoformat()} only", err=True)

    structures = load_registry(registry)
    simulation: YearSimulation | YearsSimulation
    try:
        if span is None:
            simulation = YearSimulation(first, scale, seed, structures, until=last_day)
        else:
            simulation = YearsSimulation(first, last, scale, seed, structures, until=last_day)
    except ScaleTooSmall as exc:
        raise click.BadParameter(str(exc), param_hint="--scale") from None
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None

    # What is posted (or written) in turn: the history first with --backfill, then the rest.
    total = simulation.estimated_events
    phases: list[tuple[Iterator[dict[str, Any]], dict[str, Any]]]
    if isinstance(simulation, YearsSimulation) and backfill and first < last:
        years = simulation.years()
        history = itertools.chain.from_iterable(next(years).events() for _ in range(last - first))
        fast = {"batch_size": 1000, "clients": 1, "rate": None}
        phases = [(history, fast), (itertools.chain.from_iterable(y.events() for y in years), {})]
    else:
        phases = [(simulation.events(), {})]
    left_out = [skip]

    def after_skip(events: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for event in events:
            if left_out[0]:
                left_out[0] -= 1
                continue
            yield event

    started = time.monotonic()
    if out is not None:
        count = write_ndjson(after_skip(phases[0][0]), out, total=total)
        click.echo(f"{count} events written to {out} in {time.monotonic() - started:.1f} s")
    else:
        assert post_url is not None and token is not None
        report = PostReport()
        defaults = {"batch_size": batch_size, "clients": clients, "rate": rate}
        try:
            for events, options in phases:
                part = post_events(
                    after_skip(events),
                    post_url,
                    token,
                    **{**defaults, **options},
                    shuffle_window=shuffle,
                    resend=resend,
                    seed=seed,
                    # Each phase's bar counts what is left to post of the whole (an estimate).
                    total=max(total - skip - report.events, 0) or None,
                )
                report = report.plus(part)
        except PostError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(
            f"{report.events} events posted in {report.batches} batches in {report.seconds:.1f} s: "
            f"{report.accepted} accepted, {report.duplicates} duplicates, "
            f"{report.resent_batches} batches resent, {report.retries} retries"
            + (f" ({skip} left out)" if skip else "")
        )
    truth = simulation.truth()
    if declarations:
        assert web_url is not None and token is not None
        for one in truth["years"].values() if span is not None else [truth]:
            one["declarations"] = _post_declarations(
                one["year"],
                scale * _size_before(one["year"], last),
                seed,
                structures,
                web_url,
                token,
                one["national"]["youths_interviewed"],
            )
    click.echo(json.dumps(truth, ensure_ascii=False, separators=(",", ":")))


def _size_before(year: int, last: int) -> float:
    """An earlier year's staff and funding: the network's size that year, next to the last."""
    from simulator.quotas import YEARLY_CHANGE

    return float(YEARLY_CHANGE["youths"] ** (last - year))


def _post_declarations(
    year: int,
    scale: float,
    seed: int,
    structures: list[tuple[str, StructureFields]],
    web_url: str,
    token: str,
    youths_interviewed: int,
) -> dict[str, int | float | None]:
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
