"""The breakdowns by profile (SPEC §4.2, §5): ``GET /v1/figures/breakdown?by=sex|age|
education_level``, one row per category of the dimension (zeros included), for a year and a
scope (national, a region or a structure).

For a reader without a token while statistical confidentiality is on
(``BILAN_PUBLIC_MIN_COUNT`` > 0), the rows of the nation and of a region are the public
edition's (its profile tables protect them with the year cells they add up to:
shared/publication/edition.py), a withheld value null and its key in ``suppressed``; a
structure's rows are withheld whole, as its months are: the edition does not hold them.
Exact readers (a token, or the rule off) read the live cells.
"""

from __future__ import annotations

import msgspec
from sqlalchemy.orm import Session

from services.web.live.public import profile_reading
from services.web.live.schemas import BreakdownRow, Scope, figures_of
from shared.scopes import scope_key


def profile_rows(
    session: Session, year: int, by: str, scope: Scope, exact: bool = False
) -> list[BreakdownRow]:
    """The rows of a breakdown by profile as this reader may see them (``exact``: the signed-in
    pages)."""
    reading = profile_reading(session, year, scope_key(scope.level, scope.id), by, exact=exact)
    rows = []
    for key, (values, hidden) in reading.items():
        shown = {k: None if hidden and k in hidden else v for k, v in values.items()}
        suppressed = msgspec.UNSET if hidden is None else hidden
        rows.append(BreakdownRow(key, figures=figures_of(shown), suppressed=suppressed))
    return rows
