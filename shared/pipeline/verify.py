"""``bilan verify``: the live counters against a recomputation from the log, every cell —
years, months and the increments of the year to date, nationally, per region and per
structure, and the profile cells of each year (scope ``"<scope> <dimension>=<category>"``).
A purged year has no log left: its live national figures and profile cells are compared with
its latest frozen report instead (SPEC §6).

The counters must equal, at every moment, the figures of the events of applied
batches (the invariant of shared/pipeline/counters.py). One snapshot (REPEATABLE READ on
PostgreSQL) reads both sides, so the comparison is exact while ingest and the
workers go on; each difference is a (period, scope, figure) cell with both values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import msgspec
from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.orm import Session

from shared.figures import COUNTED
from shared.pipeline.profile_recompute import compare_profiles, recompute_profiles
from shared.pipeline.profile_tables import read_profile_cells
from shared.pipeline.recompute import Progress, recompute_year, refresh_statistics
from shared.pipeline.recompute_sql import TEMP_TABLE
from shared.report.versions import read_report
from shared.retention.eligibility import PURGED, report_disagreements
from shared.scopes import NATIONAL
from shared.storage.db import snapshot_read
from shared.storage.models.counters import FigureCounts
from shared.storage.models.log import Batch
from shared.storage.models.retention import PurgedYear


@dataclass(frozen=True)
class Difference:
    period: str
    scope: str
    figure: str
    live: int
    recomputed: int


@dataclass(frozen=True)
class Verification:
    years: list[int]
    cells: int
    applied_events: int
    pending_events: int
    differences: list[Difference]


def logged_years(connection: Connection) -> list[int]:
    """Every year that has an event in the log or a cell in the counters."""
    if connection.dialect.name == "postgresql":
        year = "CAST(EXTRACT(YEAR FROM occurred_on) AS INTEGER)"
    else:
        year = "CAST(strftime('%Y', occurred_on) AS INTEGER)"
    years = {int(y) for (y,) in connection.execute(text(f"SELECT DISTINCT {year} FROM events"))}
    periods = connection.execute(select(func.substr(FigureCounts.period, 1, 4)).distinct())
    years.update(int(p) for (p,) in periods)
    return sorted(years)


def live_cells(connection: Connection, year: int) -> dict[tuple[str, str], dict[str, int]]:
    """The counters of every cell of the year (the year, its months and its increments)."""
    table = FigureCounts.__table__
    rows = connection.execute(
        select(table.c.period, table.c.scope, *(table.c[k] for k in COUNTED)).where(
            func.substr(table.c.period, 1, 4) == f"{year:04d}"
        )
    )
    return {(r[0], r[1]): dict(zip(COUNTED, map(int, r[2:]), strict=True)) for r in rows}


def _against_report(session: Session, year: int) -> list[Difference]:
    """A purged year (SPEC §6): its log is gone, so its live national figures and profile
    cells are compared with its latest frozen report (the "recomputed" side)."""
    report = read_report(session, year)
    if report is None:  # never: a year is purged only after a report
        return [Difference(f"{year:04d}", NATIONAL, "report", 0, 1)]
    document = msgspec.json.decode(report.document)
    return [
        Difference(f"{year:04d}", scope, figure, live, frozen)
        for scope, figure, live, frozen in report_disagreements(session, year, document)
    ]


def verify(
    engine: Engine, years: Sequence[int] | None = None, progress: Progress | None = None
) -> Verification:
    """Compare the counters with the log's figures over the applied batches, every cell."""
    report = progress or (lambda _: None)
    differences: list[Difference] = []
    cells = 0
    refresh_statistics(engine)
    with snapshot_read(engine) as connection:
        chosen = list(years) if years is not None else logged_years(connection)
        batches = connection.execute(
            select(
                func.coalesce(func.sum(Batch.event_count).filter(Batch.applied_at.is_not(None)), 0),
                func.coalesce(func.sum(Batch.event_count).filter(Batch.applied_at.is_(None)), 0),
            )
        ).one()
        session = Session(bind=connection)
        purged = set(session.scalars(select(PurgedYear.year).where(PurgedYear.status == PURGED)))
        for i, year in enumerate(chosen):
            if year in purged:
                differences.extend(_against_report(session, year))
                cells += 1
                continue
            live = live_cells(connection, year)

            def step(value: float, i: int = i) -> None:
                report((i + value) / max(len(chosen), 1))

            recomputed = recompute_year(
                connection, year, months=True, applied_only=True, progress=step, keep_youths=True
            )
            for cell in sorted(live.keys() | recomputed.keys()):
                cells += 1
                mine = live.get(cell, {})
                truth = recomputed.get(cell, {})
                for figure in COUNTED:
                    a, b = mine.get(figure, 0), truth.get(figure, 0)
                    if a != b:
                        differences.append(Difference(*cell, figure, a, b))
            # The profile cells of the year (SPEC §4.2), recomputed on their own.
            profiles = read_profile_cells(connection, [year])
            truth_of = recompute_profiles(
                connection, year, applied_only=True, youths_table=TEMP_TABLE
            )
            connection.execute(text(f"DROP TABLE {TEMP_TABLE}"))
            cells += len(profiles.keys() | truth_of.keys())
            differences.extend(Difference(*d) for d in compare_profiles(profiles, truth_of))
        session.close()
    report(1.0)
    return Verification(chosen, cells, int(batches[0]), int(batches[1]), differences)
