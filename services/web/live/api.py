"""``GET /v1/figures`` and ``GET /v1/figures/breakdown`` (SPEC §5): the live event figures.

A breakdown by profile (``by=sex|age|education_level``) is services/web/live/profile_rows.py's:
a year's, nationally, in a region or in a structure.

Both take ``through`` (SPEC §4.3), the last day of a month of the year: the year to date,
January to that month. ``/v1/figures`` then gives the scope's figures to date; a breakdown
by region or by structure gives each row's; a breakdown by month stops at that month (a
month's own figures are within the period, unchanged). The answer repeats ``through``.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

import msgspec
from flask import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.http.errors import ApiError, json_response
from services.web.db import snapshot_session
from services.web.live import public
from services.web.live.profile_rows import profile_rows
from services.web.live.schemas import (
    BREAKDOWNS,
    PROFILE_BREAKDOWNS,
    Breakdown,
    BreakdownResponse,
    BreakdownRow,
    FiguresResponse,
    Scope,
)
from services.web.parameters import (
    check_region,
    given,
    given_region,
    given_structure,
    parse_through,
    parse_year,
)
from shared.regions import REGIONS
from shared.scopes import (
    NATIONAL,
    Cell,
    last_day,
    month_periods,
    scope_key,
    to_date_period,
    year_period,
)
from shared.storage.models.registry import Structure


def resolve_scope(session: Session, region: str | None, structure: str | None) -> Scope:
    """The scope that the ``region`` / ``structure`` parameters name."""
    if region is not None and structure is not None:
        raise ApiError(400, "invalid_parameter", "give region or structure, not both")
    if structure:
        if session.get(Structure, structure) is None:
            message = f"no structure {structure!r} in the registry"
            raise ApiError(404, "unknown_structure", message)
        return Scope(level="structure", id=structure)
    if region:
        check_region(region)
        return Scope(level="region", id=region)
    return Scope(level="national", id=None)


def figures_period(year: int, through: int | None) -> str:
    """The period of a year's figures: the year, or the year to the end of month ``through``."""
    return year_period(year) if through is None else to_date_period(year, through)


def given_through(year: int) -> int | None:
    """The month of the ``through`` parameter, if given (a 400 unless it is the last day of
    a month of ``year``)."""
    value = given("through")
    return None if value is None else parse_through(value, year)


def _through_day(year: int, through: int | None) -> dt.date | msgspec.UnsetType:
    return msgspec.UNSET if through is None else last_day(year, through)


def live_figures(
    session: Session, year: int, scope: Scope, through: int | None = None
) -> FiguresResponse:
    """The figures of a year (or of the year to the end of month ``through``) and scope, with
    how many recorded events they lack, as this reader sees them (public.py: for a reader
    without a token, the edition's)."""
    cell = (figures_period(year, through), scope_key(scope.level, scope.id))
    reading = public.reading_for(session, [cell])
    return FiguresResponse(
        year=year,
        scope=scope,
        pending_events=reading.pending_events,
        as_of=reading.as_of,
        through=_through_day(year, through),
        **reading.published(cell),
    )


def get_figures() -> Response:
    year = parse_year(given("year"))
    through = given_through(year)
    region, structure = given("region"), given_structure()
    with snapshot_session() as session:
        scope = resolve_scope(session, region, structure)
        document = live_figures(session, year, scope, through)
    return json_response(document)


def breakdown_keys(
    session: Session,
    year: int,
    by: str,
    region: str | None,
    structure: str | None = None,
    through: int | None = None,
) -> list[tuple[str, Cell]]:
    """The rows of a breakdown, each as (row key, its (period, scope) cell)."""
    period = figures_period(year, through)
    if by == "region":
        codes = [region] if region else list(REGIONS)
        return [(code, (period, scope_key("region", code))) for code in codes]
    if by == "structure":
        statement = select(Structure.structure_id).order_by(Structure.structure_id)
        if region:
            statement = statement.where(Structure.region == region)
        ids = session.scalars(statement).all()
        return [(sid, (period, scope_key("structure", sid))) for sid in ids]
    if structure:
        scope = scope_key("structure", structure)
    else:
        scope = scope_key("region", region) if region else NATIONAL
    months = month_periods(year, through or 12)
    return [(month, (month, scope)) for month in months]


def get_breakdown() -> Response:
    year = parse_year(given("year"))
    by = given("by")
    if by not in BREAKDOWNS:
        raise ApiError(400, "invalid_parameter", f"by must be one of {', '.join(BREAKDOWNS)}")
    through = given_through(year)
    structure = given_structure()
    region = given_region()
    if structure is not None and by not in ("month", *PROFILE_BREAKDOWNS):
        message = (
            "structure goes with by=month or a profile dimension only: a structure's rows are "
            "its months or its youths' categories"
        )
        raise ApiError(400, "invalid_parameter", message)
    if structure is not None and region is not None:
        raise ApiError(400, "invalid_parameter", "give region or structure, not both")
    if by in PROFILE_BREAKDOWNS:
        if through is not None:
            message = "a breakdown by profile is of a whole year: through does not go with it"
            raise ApiError(400, "invalid_parameter", message)
        with snapshot_session() as session:
            scope = resolve_scope(session, region, structure)
            rows = profile_rows(session, year, by, scope)
        return json_response(BreakdownResponse(year=year, by=cast(Breakdown, by), rows=rows))
    with snapshot_session() as session:
        if structure is not None:
            resolve_scope(session, None, structure)  # a 404 unless in the registry
        keys = breakdown_keys(session, year, by, region, structure, through)
        reading = public.reading_for(session, [cell for _, cell in keys])
    rows = [BreakdownRow(key, **reading.published(cell)) for key, cell in keys]
    document = BreakdownResponse(
        year=year, by=cast(Breakdown, by), rows=rows, through=_through_day(year, through)
    )
    return json_response(document)
