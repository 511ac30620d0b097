"""The live figures' part of ``/openapi.json``."""

from __future__ import annotations

from typing import Any

from services.http.apidoc import RETRY_AFTER, answer, fail, operation, query, with_headers
from services.web.live.schemas import BREAKDOWNS, BreakdownResponse, FiguresResponse, SeriesResponse
from services.web.parameters import THROUGH_PATTERN, Parameters
from shared.publication.series import MAX_YEARS

TAG = "live figures"

# Reading needs no token; one may be given, and then is checked (statistical confidentiality).
WITHHELD = (
    " Without a token, where BILAN_PUBLIC_MIN_COUNT is set, the counts of fewer youths in a "
    "structure or a month, and what would give them back, are null (listed in `suppressed`), "
    "and the answer is the published anonymous edition: `as_of` its time, `pending_events` "
    "the events not in it; a token of any role reads exact figures, and an unknown one is a 401."
)


THROUGH = query(
    "through",
    "The year to date (SPEC §4.3): only the events from 1 January to this day count. The last "
    "day of a month of `year` (else a 400), e.g. 2007-11-30.",
    {"type": "string", "format": "date", "pattern": THROUGH_PATTERN},
)
WITHHELD_TO_DATE = (
    " Without a token, where BILAN_PUBLIC_MIN_COUNT is set, a structure's year to date and "
    "months are withheld whole (every figure null, listed in `suppressed`), except a year to "
    "31 December, which is the year; the nation's and a region's year to date withhold every "
    "key that a month of the year withholds."
)


PROFILES = (
    " By `sex`, `age` or `education_level` (SPEC §4.2): one row per category of the "
    "dimension, zeros included, each with every figure for the youths of that category "
    "(age: reached in the year); the rows of a dimension add up to the scope's counts. "
    "Of a whole year: `through` is a 400 with them. Without a token, where "
    "BILAN_PUBLIC_MIN_COUNT is set, the nation's and a region's rows are those of the public "
    "edition, protected together with the year figures they add up to (a withheld value null, "
    "its key in `suppressed`); a structure's are withheld whole."
)


def _token_checked() -> dict[str, Any]:
    return {
        "401": fail("A token was given that is unknown, revoked or expired"),
        "429": with_headers(fail("Too many failed authentications from this address"), RETRY_AFTER),
    }


def paths(p: Parameters) -> dict[str, Any]:
    """``/v1/figures``, ``/v1/figures/breakdown`` and ``/v1/figures/series``."""
    unknown = fail("Unknown region or structure")
    return {
        "/v1/figures": {
            "get": operation(
                "getFigures",
                TAG,
                "Live event figures of a year: national, a region or a structure",
                {"200": answer("The figures", FiguresResponse), "404": unknown, **_token_checked()},
                description="Give region or structure, not both (400). An empty value is a 400."
                + WITHHELD
                + WITHHELD_TO_DATE,
                parameters=[p.year, p.region, p.structure, THROUGH],
                conditional=True,
            )
        },
        "/v1/figures/breakdown": {
            "get": operation(
                "getFiguresBreakdown",
                TAG,
                "The figures of a year, one row per region, structure, month or profile category",
                {
                    "200": answer("One row per key", BreakdownResponse),
                    "404": unknown,
                    **_token_checked(),
                },
                description="A month row is the month in the year's place in every definition. "
                "`structure` goes with `by=month` or a profile dimension only (else a 400), and "
                "not with `region`. With `through`, a row by region or by structure is its year "
                "to date, and the months stop at that month."
                + PROFILES
                + WITHHELD
                + WITHHELD_TO_DATE,
                parameters=[
                    p.year,
                    query("by", "What a row is", {"enum": list(BREAKDOWNS)}, required=True),
                    {**p.region, "description": "Only the rows within this region"},
                    {
                        **p.structure,
                        "description": "With by=month or a profile dimension: this structure's",
                    },
                    THROUGH,
                ],
                conditional=True,
            )
        },
        "/v1/figures/series": {
            "get": operation(
                "getFiguresSeries",
                TAG,
                "Live event figures year by year: national, a region or a structure",
                {
                    "200": answer("One row per year", SeriesResponse),
                    "404": unknown,
                    **_token_checked(),
                },
                description=f"One row per year from `from` to `to` (at most {MAX_YEARS} years; "
                "zeros for a year without data). Give region or structure, not both (400)."
                + WITHHELD,
                parameters=[
                    {**p.year, "name": "from", "description": "First year (default: to - 4)"},
                    {**p.year, "name": "to", "description": "Last year (default: this year)"},
                    p.region,
                    p.structure,
                ],
                conditional=True,
            )
        },
    }
