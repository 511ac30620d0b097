"""The components of the public figures' confidentiality (shared/publication/confidentiality.py,
point 4): the cells protected together, the totals that gather them, and the shapes of the
moves between them — a region's structures in one year, one year's months, or one year's
profile categories of one dimension.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from shared.scopes import NATIONAL, Cell

Term = tuple[Cell, str]  # one figure of one cell
Values = Mapping[Cell, Mapping[str, int]]
Legs = tuple[tuple[Cell, int], ...]  # the cells a move shifts, each up (+1) or down (-1)


@dataclass(frozen=True)
class Group:
    """A total and the cells its youths (or events) are gathered from."""

    total: Cell
    parts: tuple[Cell, ...]


@dataclass(frozen=True)
class Component:
    """Cells protected together (point 4): their values, which ones the threshold applies
    to, how totals gather parts, and the shapes of the moves between them."""

    values: Values
    protected: frozenset[Cell]
    groups: tuple[Group, ...]
    shapes: Callable[[Cell], Iterator[Legs]] = field(compare=False)


def structures(region: Cell, members: Sequence[Cell], values: Values) -> Component:
    """One region's structures in one year (their region's year cell published)."""

    def shapes(cell: Cell) -> Iterator[Legs]:
        for other in members:
            if other != cell:
                yield ((cell, 1), (other, -1))

    return Component(values, frozenset(members), (Group(region, tuple(members)),), shapes)


def months(year: str, periods: Sequence[str], regions: Sequence[str], values: Values) -> Component:
    """One year's months, nationally and in each region (``regions``: scope keys); the year
    cells published."""
    return table(year, periods, regions, values)


def profiles(
    year: str, columns: Sequence[str], regions: Sequence[str], values: Values
) -> Component:
    """One year's profile table of one dimension: its categories (``columns``, as
    shared/publication/published_profiles.py names them) nationally and in each region; the
    year cells published. A dimension's categories partition each scope's youths (SPEC §4.2),
    so its rows add up to their year cell in every key: the relations find it on the data."""
    return table(year, columns, regions, values)


def table(year: str, columns: Sequence[str], regions: Sequence[str], values: Values) -> Component:
    """A table of one year: one row per scope (the nation, then ``regions``), each a row of
    ``columns`` cells gathered into the scope's year cell (published), the national row the
    regions' column totals."""
    rows = [NATIONAL, *regions]
    groups = [Group((year, row), tuple((column, row) for column in columns)) for row in rows]
    if regions:  # the national row alone (a report's) gathers nothing
        groups += [
            Group((column, NATIONAL), tuple((column, region) for region in regions))
            for column in columns
        ]

    def shapes(cell: Cell) -> Iterator[Legs]:
        column, row = cell
        for other in columns:
            if other == column:
                continue
            along = ((cell, 1), ((other, row), -1))
            yield along  # the row alone: where the columns have room for it
            for second in rows:
                if second == row:
                    continue
                # The same shift in another row too, so that the columns keep their sums: in
                # the national row beside a region's (the totals follow their part), reversed
                # in another region's (a rectangle: the two rows keep theirs).
                sign = 1 if NATIONAL in (row, second) else -1
                yield (*along, ((column, second), sign), ((other, second), -sign))

    protected = frozenset((column, row) for column in columns for row in rows)
    return Component(values, protected, tuple(groups), shapes)
