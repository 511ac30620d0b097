"""The JSON documents of the live figures API (SPEC §5), as msgspec structs.

Every answer is encoded from these structs, and ``/openapi.json`` is generated
from them, so the documented schema and the output cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, get_args

import msgspec
from msgspec import Meta

from shared.figures import FIGURE_KEYS
from shared.scopes import Level

Breakdown = Literal["region", "structure", "month"]
BREAKDOWNS: tuple[str, ...] = get_args(Breakdown)


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


def figures_of(values: dict[str, int | float]) -> Figures:
    """The struct of a figures dict (every key of FIGURE_KEYS)."""
    return msgspec.convert({key: values[key] for key in FIGURE_KEYS}, Figures)


class Scope(msgspec.Struct):
    level: Level
    id: str | None


class FiguresResponse(msgspec.Struct):
    """``GET /v1/figures``."""

    year: int
    scope: Scope
    figures: Figures
    pending_events: Annotated[
        int, Meta(ge=0, description="Recorded events not yet counted (all years); 0: exact")
    ]
    as_of: Annotated[dt.datetime, Meta(tz=True, description="When the figures were read (UTC)")]


class BreakdownRow(msgspec.Struct):
    key: str
    figures: Figures


class BreakdownResponse(msgspec.Struct):
    """``GET /v1/figures/breakdown``."""

    year: int
    by: Breakdown
    rows: list[BreakdownRow]


STRUCTS: tuple[type, ...] = (FiguresResponse, BreakdownResponse)
