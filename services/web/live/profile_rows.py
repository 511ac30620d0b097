"""The breakdowns by profile (SPEC §4.2, §5): ``GET /v1/figures/breakdown?by=sex|age|
education_level``, one row per category of the dimension (zeros included), for a year and a
scope (national, a region or a structure).

For a reader without a token while statistical confidentiality is on
(``BILAN_PUBLIC_MIN_COUNT`` > 0), the rows are withheld whole — every figure null and listed
in ``suppressed`` — for now: the public edition does not hold profile cells yet, and a
category's rows add up to their scope's published total, so a partial suppression would have
to hold against that relation too (shared/publication/confidentiality.py). Withholding them
whole is coarse, and true. Exact readers (a token, or the rule off) read the live cells.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.web.live.public import exact_reader
from services.web.live.schemas import BreakdownRow, Scope, figures_of
from shared.figures import FIGURE_KEYS
from shared.pipeline.profile_tables import read_profile_rows
from shared.profiles import DIMENSIONS
from shared.scopes import scope_key


def profile_rows(
    session: Session, year: int, by: str, scope: Scope, exact: bool = False
) -> list[BreakdownRow]:
    """The rows of a breakdown by profile as this reader may see them (``exact``: the signed-in
    pages)."""
    if exact or exact_reader():
        rows = read_profile_rows(session, year, scope_key(scope.level, scope.id), by)
        return [BreakdownRow(key, figures=figures_of(values)) for key, values in rows.items()]
    hidden = dict.fromkeys(FIGURE_KEYS)
    return [
        BreakdownRow(key, figures=figures_of(hidden), suppressed=list(FIGURE_KEYS))
        for key in DIMENSIONS[by]
    ]
