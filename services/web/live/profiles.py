"""The dashboard's "Profil des jeunes" section: who the youths of the year and scope are — the
accompanied youths (``youths_interviewed``) and the first receptions
(``youths_first_reception``) by sex, age band and education level (SPEC §4.2), as counts and
as shares of their total, for a chart per dimension (static/profiles.js) and the same data as
tables (templates/_profiles.html).

The rows are the API's (``GET /v1/figures/breakdown?by=…``, profile_rows.py), so the page
never says another figure than the API: live and exact for the signed-in (``exact``) and while
statistical confidentiality is off; for a reader without a token while it is on, the edition's
— the nation's and a region's protected cell by cell (a withheld value the mark "s", and its
share too, never charted), a structure's withheld whole (every value "s", no chart, and the
section says why: ``PROFILES_WITHHELD``). A share of a zero total is "n.d.". The rows of a
dimension partition the youths (§4.2), so their total is the scope's own year figure, which
the total row shows and the shares rest on.
"""

from __future__ import annotations

import msgspec
from sqlalchemy.orm import Session

from services.web.formatting import (
    NOT_AVAILABLE,
    WITHHELD,
    format_number,
    format_percent,
    marks_in,
)
from services.web.live.profile_rows import profile_rows
from services.web.live.public import reading_for
from services.web.live.schemas import Scope
from shared.profiles import DIMENSIONS
from shared.publication.labels import LABELS
from shared.publication.profile_labels import (
    CATEGORY_LABELS,
    DIMENSION_LABELS,
    PROFILE_FIGURES,
    PROFILES_WITHHELD,
)
from shared.scopes import Level, scope_key

# The section shows the accompanied youths first, as the key figures do, then the first
# receptions (the 2007 report's "Profil des jeunes en premier accueil").
SECTION_FIGURES: tuple[str, ...] = ("youths_interviewed", "youths_first_reception")
assert set(SECTION_FIGURES) == set(PROFILE_FIGURES)
SHARE = ".share"  # a column's key suffix: the figure's share of the dimension's total
# The tables' columns, in order: each figure's count, then its share.
COLUMNS: tuple[str, ...] = tuple(column for key in SECTION_FIGURES for column in (key, key + SHARE))


class ProfileRow(msgspec.Struct, frozen=True, kw_only=True):
    """A category (or the dimension's total, ``key`` empty): each figure's count and share
    (None where withheld; a share None too when the total is zero), in percent for the chart,
    and as the table prints them (``display``, keyed by COLUMNS)."""

    key: str
    label: str
    counts: dict[str, int | None]
    percents: dict[str, float | None]
    display: dict[str, str]
    suppressed: list[str] | msgspec.UnsetType = msgspec.UNSET


class ProfileTable(msgspec.Struct, frozen=True):
    """A dimension: its name, its categories in SPEC §4.2's order, and their total."""

    dimension: str
    title: str
    rows: list[ProfileRow]
    total: ProfileRow


class Profiles(msgspec.Struct, frozen=True):
    """The section: one table per dimension, whether its values are withheld whole from this
    reader (and why: a structure's, not in the edition), and the marks its tables use, for
    their legend."""

    withheld: bool
    note: str | None
    headers: dict[str, str]  # each figure's name, for the tables' and the charts' legends
    tables: list[ProfileTable]
    marks: list[str]


def _row(
    key: str, label: str, counts: dict[str, int | None], totals: dict[str, int | None]
) -> ProfileRow:
    percents: dict[str, float | None] = {}
    display: dict[str, str] = {}
    for figure in SECTION_FIGURES:
        count, total = counts[figure], totals[figure]
        if count is None or total is None:
            percents[figure] = None
            display[figure] = display[figure + SHARE] = WITHHELD
            continue
        display[figure] = format_number(count)
        # A share of nothing does not exist: "n.d.", never "0 %".
        percents[figure] = round(100 * count / total, 2) if total else None
        display[figure + SHARE] = format_percent(count / total, 1) if total else NOT_AVAILABLE
    hidden = [column for column in COLUMNS if display[column] == WITHHELD]
    return ProfileRow(
        key=key,
        label=label,
        counts=counts,
        percents=percents,
        display=display,
        suppressed=hidden if hidden else msgspec.UNSET,
    )


def profiles_context(
    session: Session, year: int, level: Level, scope_id: str | None, exact: bool = False
) -> Profiles:
    """The section for a year and scope, as this reader may see it (``exact``: the signed-in
    edition of the dashboard)."""
    scope = Scope(level=level, id=scope_id)
    # The rows of a dimension partition the youths: their total is the scope's year figure,
    # as this reader sees it (the nation's and a region's: always published).
    cell = (str(year), scope_key(level, scope_id))
    year_figures = reading_for(session, [cell], exact=exact).shown(cell)
    totals: dict[str, int | None] = {
        figure: None if year_figures[figure] is None else int(year_figures[figure] or 0)
        for figure in SECTION_FIGURES
    }
    tables: list[ProfileTable] = []
    withheld_whole = True
    for dimension in DIMENSIONS:
        found = profile_rows(session, year, dimension, scope, exact=exact)
        counts = {
            row.key: {key: getattr(row.figures, key) for key in SECTION_FIGURES} for row in found
        }
        withheld_whole = withheld_whole and all(
            value is None for values in counts.values() for value in values.values()
        )
        labels = CATEGORY_LABELS[dimension]
        rows = [_row(key, labels[key], values, totals) for key, values in counts.items()]
        tables.append(
            ProfileTable(
                dimension=dimension,
                title=DIMENSION_LABELS[dimension],
                rows=rows,
                total=_row("", "Ensemble", totals, totals),
            )
        )
    every_row = [row for table in tables for row in (*table.rows, table.total)]
    texts = [text for row in every_row for text in row.display.values()]
    return Profiles(
        withheld=withheld_whole,
        note=PROFILES_WITHHELD if withheld_whole else None,
        headers={key: LABELS[key].csv_header for key in SECTION_FIGURES},
        tables=tables,
        marks=marks_in(texts),
    )
