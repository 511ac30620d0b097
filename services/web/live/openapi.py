"""The live figures' part of ``/openapi.json``."""

from __future__ import annotations

from typing import Any

from services.web.apidoc import Parameters, answer, fail, operation, query
from services.web.live.schemas import BREAKDOWNS, BreakdownResponse, FiguresResponse

TAG = "live figures"


def paths(p: Parameters) -> dict[str, Any]:
    """``/v1/figures`` and ``/v1/figures/breakdown``."""
    unknown = fail("Unknown region or structure")
    return {
        "/v1/figures": {
            "get": operation(
                "getFigures",
                TAG,
                "Live event figures of a year: national, a region or a structure",
                {"200": answer("The figures", FiguresResponse), "404": unknown},
                description="Give region or structure, not both (400). An empty value is a 400.",
                parameters=[p.year, p.region, p.structure],
                conditional=True,
            )
        },
        "/v1/figures/breakdown": {
            "get": operation(
                "getFiguresBreakdown",
                TAG,
                "The figures of a year, one row per region, structure or month",
                {"200": answer("One row per key", BreakdownResponse), "404": unknown},
                parameters=[
                    p.year,
                    query("by", "What a row is", {"enum": list(BREAKDOWNS)}, required=True),
                    {**p.region, "description": "Only the rows within this region"},
                ],
                conditional=True,
            )
        },
    }
