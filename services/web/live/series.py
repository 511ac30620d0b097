"""``GET /v1/figures/series?from=Y1&to=Y2[&region=R | &structure=S]``: a scope's live
figures year by year, from the year cells of the counters (``shared/publication/series.py``).

``to`` defaults to the current year and ``from`` to four years before it (five years, or
fewer when that would start before the first possible year). Years are checked as
``/v1/figures`` checks ``year``, scopes as it checks them (400 / 404), and a range is at
most ``shared.publication.series.MAX_YEARS`` years long, ``from`` not after ``to``.
"""

from __future__ import annotations

from flask import Response

from services.http.errors import ApiError, json_response
from services.web.db import snapshot_session
from services.web.live import public
from services.web.live.api import resolve_scope
from services.web.live.schemas import SeriesResponse, SeriesRow
from services.web.parameters import given, given_structure, parse_year, year_range
from shared.publication.series import InvalidRange, check_range
from shared.scopes import scope_key, year_period

DEFAULT_YEARS = 5


def _year(name: str, default: int) -> int:
    value = given(name)
    if value is None:
        return default
    try:
        return parse_year(value)
    except ApiError as exc:
        raise ApiError(exc.status, exc.code, f"{name}: {exc.message}") from None


def get_series() -> Response:
    last = _year("to", parse_year(None))
    first = _year("from", max(year_range()[0], last - DEFAULT_YEARS + 1))
    try:
        check_range(first, last)
    except InvalidRange as exc:
        raise ApiError(400, "invalid_parameter", str(exc)) from None
    with snapshot_session() as session:
        scope = resolve_scope(session, given("region"), given_structure())
        key = scope_key(scope.level, scope.id)
        years = range(first, last + 1)
        reading = public.reading_for(session, [(year_period(year), key) for year in years])
    rows = [SeriesRow(year, **reading.published((year_period(year), key))) for year in years]
    document = SeriesResponse(
        first=first,
        last=last,
        scope=scope,
        rows=rows,
        pending_events=reading.pending_events,
        as_of=reading.as_of,
    )
    return json_response(document)
