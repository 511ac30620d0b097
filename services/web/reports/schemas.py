"""The shape of a frozen report (``GET /v1/reports/{year}``), as msgspec structs, for
``/openapi.json`` and the tests: the report itself is never encoded here, it is served as the
exact bytes stored when it was frozen (shared.consolidation.jobs).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from services.web.live.schemas import Figures
from shared.report.keys import REPORT_KEYS


def _report_figure_type(key: str) -> Any:
    if key == "cost_per_youth":
        # null when no declaration is validated or their structures interviewed nobody.
        return int | None
    return float if key == "access_rate" or "share" in key else int


ReportFigures = msgspec.defstruct(
    "ReportFigures", [(key, _report_figure_type(key)) for key in REPORT_KEYS]
)


class Difference(msgspec.Struct):
    live: int | float
    recomputed: int | float


class Reconciliation(msgspec.Struct):
    live: Figures
    recomputed: Figures
    differences: Annotated[
        dict[str, dict[str, Difference]],
        Meta(description="Per scope (national, region:R, structure:S), the figures that differ"),
    ]


class Change(msgspec.Struct):
    previous: int | float | None
    current: int | float


class ReportCompleteness(msgspec.Struct):
    structures: int
    declarations_validated: int


class ReportDocument(msgspec.Struct):
    """``GET /v1/reports/{year}``: a frozen version, never changed once written."""

    year: int
    version: int
    consolidated_at: dt.datetime
    # msgspec.defstruct builds ReportFigures at run time: mypy cannot use it as a type.
    figures: ReportFigures  # type: ignore[valid-type]
    reconciliation: Reconciliation
    completeness: ReportCompleteness
    previous_version_diff: dict[str, Change] | None


STRUCTS: tuple[type, ...] = (ReportDocument,)
