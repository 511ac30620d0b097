"""Reading the frozen report versions of a year."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.models import Report
from shared.times import as_utc


def read_report(session: Session, year: int, version: int | None = None) -> Report | None:
    statement = select(Report).where(Report.year == year)
    if version is None:
        statement = statement.order_by(Report.version.desc()).limit(1)
    else:
        statement = statement.where(Report.version == version)
    return session.scalar(statement)


def report_versions(session: Session, year: int) -> list[tuple[int, dt.datetime]]:
    rows = session.execute(
        select(Report.version, Report.consolidated_at)
        .where(Report.year == year)
        .order_by(Report.version)
    )
    return [(int(v), as_utc(at)) for v, at in rows]


def reports_by_year(session: Session) -> list[tuple[int, list[tuple[int, dt.datetime]]]]:
    """Every year with a frozen report, newest first, and its versions (newest first) with
    the moment each was frozen."""
    rows = session.execute(
        select(Report.year, Report.version, Report.consolidated_at).order_by(
            Report.year.desc(), Report.version.desc()
        )
    )
    years: dict[int, list[tuple[int, dt.datetime]]] = {}
    for year, version, at in rows:
        years.setdefault(int(year), []).append((int(version), as_utc(at)))
    return list(years.items())
