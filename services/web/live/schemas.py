"""The JSON documents of the live figures API (SPEC §5), as msgspec structs.

Every answer is encoded from these structs, and ``/openapi.json`` is generated
from them, so the documented schema and the output cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Literal, get_args

import msgspec
from msgspec import Meta

from shared.figures import FIGURE_KEYS
from shared.scopes import Level

Breakdown = Literal["region", "structure", "month", "sex", "age", "education_level"]
BREAKDOWNS: tuple[str, ...] = get_args(Breakdown)
# The breakdowns by profile (SPEC §4.2): one row per category of shared.profiles.DIMENSIONS.
PROFILE_BREAKDOWNS: tuple[str, ...] = ("sex", "age", "education_level")


class Figures(msgspec.Struct):
    """The live event figures of SPEC §4 (first table)."""

    youths_first_reception: int
    youths_in_contact: int
    youths_received: int
    youths_interviewed: int
    interviews: int
    youths_with_access: int
    access_rate: Annotated[float, Meta(ge=0, le=1, description="0 when no youth was interviewed")]
    youths_employment: int
    youths_subsidized_or_work_study: int
    youths_training: int
    civis_entries: int
    civis_exits: int
    civis_exits_durable_employment: int
    civis_exits_non_durable_employment: int
    civis_exits_training: int
    civis_exits_other: int


# The fields above are spelled out for a readable schema; they must be the figure keys.
assert Figures.__struct_fields__ == FIGURE_KEYS


# The figures of an answer: exact, except the values withheld from a reader without a token
# (statistical confidentiality, shared/publication/confidentiality.py), which are null.
# Built at run time from FIGURE_KEYS, it is no type to mypy: each annotation naming it says
# ``type: ignore[valid-type]`` for that reason.
PublishedFigures = msgspec.defstruct(
    "PublishedFigures",
    [
        (key, (Annotated[float, Meta(ge=0, le=1)] if key == "access_rate" else int) | None)
        for key in FIGURE_KEYS
    ],
)
Suppressed = Annotated[
    list[str],
    Meta(
        description="The figures withheld (null) from a reader without a token: statistical "
        "confidentiality (BILAN_PUBLIC_MIN_COUNT). Absent when the figures are exact."
    ),
]


# PublishedFigures: built at run time (see above).
def figures_of(values: Mapping[str, int | float | None]) -> PublishedFigures:  # type: ignore[valid-type]
    """The struct of a figures dict (every key of FIGURE_KEYS; None where withheld)."""
    return msgspec.convert({key: values[key] for key in FIGURE_KEYS}, PublishedFigures)


class Scope(msgspec.Struct):
    level: Level
    id: str | None


Pending = Annotated[
    int,
    Meta(
        ge=0,
        description="Recorded events not yet in the figures (all years); 0: exact. For the "
        "published anonymous edition, the events not in it",
    ),
]
AsOf = Annotated[
    dt.datetime,
    Meta(
        tz=True,
        description="When the figures were read (UTC); the published anonymous edition's time",
    ),
]
Through = Annotated[
    dt.date,
    Meta(
        description="The year to date (SPEC §4.3): the figures count the events from 1 January "
        "to this day. Present exactly when the request gave it."
    ),
]


class FiguresResponse(msgspec.Struct):
    """``GET /v1/figures``."""

    year: int
    scope: Scope
    figures: PublishedFigures  # type: ignore[valid-type]  # built at run time (above)
    pending_events: Pending
    as_of: AsOf
    suppressed: Suppressed | msgspec.UnsetType = msgspec.UNSET
    through: Through | msgspec.UnsetType = msgspec.UNSET


class Published(msgspec.Struct, kw_only=True):
    """A cell's figures as the reader may see them: the fields of a breakdown's or a series'
    row after its own key (keyword-only, so that they come after it)."""

    figures: PublishedFigures  # type: ignore[valid-type]  # built at run time (above)
    suppressed: Suppressed | msgspec.UnsetType = msgspec.UNSET


class BreakdownRow(Published):
    key: str


class BreakdownResponse(msgspec.Struct):
    """``GET /v1/figures/breakdown``."""

    year: int
    by: Breakdown
    rows: list[BreakdownRow]
    through: Through | msgspec.UnsetType = msgspec.UNSET


class SeriesRow(Published):
    year: int


class SeriesResponse(msgspec.Struct):
    """``GET /v1/figures/series``: one row per year of the range, zeros for a year without
    data."""

    first: int = msgspec.field(name="from")
    last: int = msgspec.field(name="to")
    scope: Scope
    rows: list[SeriesRow]
    pending_events: Pending
    as_of: AsOf


STRUCTS: tuple[type, ...] = (FiguresResponse, BreakdownResponse, SeriesResponse)
