"""``GET /v1/figures`` and ``GET /v1/figures/breakdown`` (SPEC §5): the live event figures.

Also the reading of the year and scope parameters, which the pages share.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import cast

from flask import Blueprint, Response, current_app, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.web.schemas import (
    BREAKDOWNS,
    Breakdown,
    BreakdownResponse,
    BreakdownRow,
    FiguresResponse,
    Scope,
    figures_of,
    json_response,
)
from shared.counters import Cell, pending_events, read_cells, read_figures, zero_figures
from shared.events import FIRST_DAY
from shared.models import Structure
from shared.regions import REGIONS
from shared.scopes import NATIONAL, scope_key, year_period

bp = Blueprint("figures", __name__)

_YEAR = re.compile(r"[0-9]{4}")


class QueryError(Exception):
    """A query parameter the figures cannot be read for; carries the HTTP answer."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def year_range(today: dt.date | None = None) -> tuple[int, int]:
    """The years figures exist for: events may be dated up to tomorrow (SPEC §3)."""
    return FIRST_DAY.year, (today or dt.date.today()).year + 1


def parse_year(value: str | None, today: dt.date | None = None) -> int:
    """The ``year`` parameter; the current year when absent."""
    today = today or dt.date.today()
    if value is None:
        return today.year
    first, last = year_range(today)
    if not _YEAR.fullmatch(value) or not first <= int(value) <= last:
        message = f"year must be an integer from {first} to {last}"
        raise QueryError(400, "invalid_parameter", message)
    return int(value)


def optional(name: str) -> str | None:
    """A query parameter, with an empty value taken as absent (as HTML forms send it)."""
    return request.args.get(name) or None


def check_region(region: str) -> None:
    if region not in REGIONS:
        raise QueryError(404, "unknown_region", f"no region {region!r} (expected an INSEE code)")


def resolve_scope(session: Session, region: str | None, structure: str | None) -> Scope:
    """The scope that the ``region`` / ``structure`` parameters name."""
    if region and structure:
        raise QueryError(400, "invalid_parameter", "give region or structure, not both")
    if structure:
        if session.get(Structure, structure) is None:
            message = f"no structure {structure!r} in the registry"
            raise QueryError(404, "unknown_structure", message)
        return Scope(level="structure", id=structure)
    if region:
        check_region(region)
        return Scope(level="region", id=region)
    return Scope(level="national", id=None)


def live_figures(session: Session, year: int, scope: Scope) -> FiguresResponse:
    """The figures of a year and scope, with how many recorded events they lack."""
    # Pending first: if it reads 0, every event recorded before then is already in
    # the counters read next, even when each statement sees its own snapshot.
    as_of = dt.datetime.now(dt.UTC)
    pending = pending_events(session)
    values = read_figures(session, year_period(year), scope_key(scope.level, scope.id))
    return FiguresResponse(
        year=year, scope=scope, figures=figures_of(values), pending_events=pending, as_of=as_of
    )


@bp.get("/v1/figures")
def get_figures() -> Response:
    year = parse_year(optional("year"))
    with current_app.extensions["read_sessions"]() as session:
        scope = resolve_scope(session, optional("region"), optional("structure"))
        document = live_figures(session, year, scope)
    response = json_response(document)
    response.headers["Cache-Control"] = "no-store"
    return response


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


@bp.get("/v1/figures/breakdown")
def get_breakdown() -> Response:
    year = parse_year(optional("year"))
    by = request.args.get("by")
    if by not in BREAKDOWNS:
        raise QueryError(400, "invalid_parameter", f"by must be one of {', '.join(BREAKDOWNS)}")
    if optional("structure"):
        raise QueryError(400, "invalid_parameter", "a breakdown is national or within a region")
    region = optional("region")
    if region:
        check_region(region)
    with current_app.extensions["read_sessions"]() as session:
        keys = breakdown_keys(session, year, by, region)
        cells = read_cells(
            session, sorted({c[0] for _, c in keys}), sorted({c[1] for _, c in keys})
        )
    zero = zero_figures()
    rows = [BreakdownRow(key=key, figures=figures_of(cells.get(cell, zero))) for key, cell in keys]
    response = json_response(BreakdownResponse(year=year, by=cast(Breakdown, by), rows=rows))
    response.headers["Cache-Control"] = "no-store"
    return response
