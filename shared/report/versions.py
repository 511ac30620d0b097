"""Reading the frozen report versions of a year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import msgspec
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.storage.models.consolidation import Report
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


class Completeness(msgspec.Struct):
    """A frozen version's ``completeness`` (SPEC §5): what its declaration figures cover."""

    structures: int
    declarations_validated: int


class _Frozen(msgspec.Struct):
    completeness: Completeness


_completeness_of = msgspec.json.Decoder(_Frozen)


@dataclass(frozen=True)
class Version:
    """One frozen version of a year's report, as a list of reports shows it."""

    version: int
    consolidated_at: dt.datetime
    completeness: Completeness


def reports_by_year(session: Session) -> list[tuple[int, list[Version]]]:
    """Every year with a frozen report, newest first, and its versions (newest first) with
    the moment each was frozen and its completeness."""
    rows = session.execute(
        select(Report.year, Report.version, Report.consolidated_at, Report.document).order_by(
            Report.year.desc(), Report.version.desc()
        )
    )
    years: dict[int, list[Version]] = {}
    for year, version, at, document in rows:
        completeness = _completeness_of.decode(document).completeness
        years.setdefault(int(year), []).append(Version(int(version), as_utc(at), completeness))
    return list(years.items())
