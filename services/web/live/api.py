"""``GET /v1/figures`` and ``GET /v1/figures/breakdown`` (SPEC §5): the live event figures."""

from __future__ import annotations

from typing import cast

from flask import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.web.db import snapshot_session
from services.web.http import ApiError, json_response
from services.web.live import public
from services.web.live.schemas import (
    BREAKDOWNS,
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
    parse_year,
)
from shared.live import Cell
from shared.models import Structure
from shared.regions import REGIONS
from shared.scopes import NATIONAL, scope_key, year_period


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


def live_figures(session: Session, year: int, scope: Scope) -> FiguresResponse:
    """The figures of a year and scope, with how many recorded events they lack, as this
    reader sees them (public.py: for a reader without a token, the edition's)."""
    cell = (year_period(year), scope_key(scope.level, scope.id))
    view = public.view_for(session, [cell])
    figures, suppressed = view.published(cell)
    return FiguresResponse(year, scope, figures, view.pending_events, view.as_of, suppressed)


def get_figures() -> Response:
    year = parse_year(given("year"))
    region, structure = given("region"), given_structure()
    with snapshot_session() as session:
        scope = resolve_scope(session, region, structure)
        document = live_figures(session, year, scope)
    return json_response(document)


def breakdown_keys(
    session: Session, year: int, by: str, region: str | None
) -> list[tuple[str, Cell]]:
    """The rows of a breakdown, each as (row key, its (period, scope) cell)."""
    period = year_period(year)
    if by == "region":
        codes = [region] if region else list(REGIONS)
        return [(code, (period, scope_key("region", code))) for code in codes]
    if by == "structure":
        statement = select(Structure.structure_id).order_by(Structure.structure_id)
        if region:
            statement = statement.where(Structure.region == region)
        ids = session.scalars(statement).all()
        return [(sid, (period, scope_key("structure", sid))) for sid in ids]
    scope = scope_key("region", region) if region else NATIONAL
    months = [f"{period}-{month:02d}" for month in range(1, 13)]
    return [(month, (month, scope)) for month in months]


def get_breakdown() -> Response:
    year = parse_year(given("year"))
    by = given("by")
    if by not in BREAKDOWNS:
        raise ApiError(400, "invalid_parameter", f"by must be one of {', '.join(BREAKDOWNS)}")
    if given("structure") is not None:
        raise ApiError(400, "invalid_parameter", "a breakdown is national or within a region")
    region = given_region()
    with snapshot_session() as session:
        keys = breakdown_keys(session, year, by, region)
        view = public.view_for(session, [cell for _, cell in keys])
    rows = [BreakdownRow(key, *view.published(cell)) for key, cell in keys]
    return json_response(BreakdownResponse(year=year, by=cast(Breakdown, by), rows=rows))
