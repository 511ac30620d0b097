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
