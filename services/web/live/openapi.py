"""The live figures' part of ``/openapi.json``."""

from __future__ import annotations

from typing import Any

from services.web.apidoc import Parameters, answer, fail, query
from services.web.live.schemas import BREAKDOWNS, BreakdownResponse, FiguresResponse, SeriesResponse
from shared.series import MAX_YEARS


def paths(p: Parameters) -> dict[str, Any]:
    """``/v1/figures``, ``/v1/figures/breakdown`` and ``/v1/figures/series``."""
    bad, unknown = fail("Bad parameter"), fail("Unknown region or structure")
    withheld = (
        " Without a token, where BILAN_PUBLIC_MIN_COUNT is set, the counts of fewer youths in "
        "a structure or a month, and what would give them back, are null (listed in "
        "`suppressed`); a token of any role reads exact figures."
    )
    return {
        "/v1/figures": {
            "get": {
                "summary": "Live event figures of a year: national, a region or a structure",
                "description": "Give region or structure, not both." + withheld,
                "parameters": [p.year, p.region, p.structure],
                "responses": {
                    "200": answer("The figures", FiguresResponse),
                    "400": bad,
                    "404": unknown,
                },
            }
        },
        "/v1/figures/breakdown": {
            "get": {
                "summary": "The figures of a year, one row per region, structure or month",
                "description": withheld.strip(),
                "parameters": [
                    p.year,
                    query("by", "What a row is", {"enum": list(BREAKDOWNS)}, required=True),
                    {**p.region, "description": "Only the rows within this region"},
                ],
                "responses": {
                    "200": answer("One row per key", BreakdownResponse),
                    "400": bad,
                    "404": unknown,
                },
            }
        },
        "/v1/figures/series": {
            "get": {
                "summary": "Live event figures year by year: national, a region or a structure",
                "description": f"One row per year from `from` to `to` (at most {MAX_YEARS} "
                "years; zeros for a year without data). Give region or structure, not both."
                + withheld,
                "parameters": [
                    {**p.year, "name": "from", "description": "First year (default: to - 4)"},
                    {**p.year, "name": "to", "description": "Last year (default: this year)"},
                    p.region,
                    p.structure,
                ],
                "responses": {
                    "200": answer("One row per year", SeriesResponse),
                    "400": bad,
                    "404": unknown,
                },
            }
        },
    }
