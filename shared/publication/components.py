"""The components of the public figures' confidentiality (shared/publication/confidentiality.py,
point 4): the cells protected together, the totals that gather them, and the shapes of the
moves between them — a region's structures in one year, or one year's months.
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
    cells published. A table: one row per scope, the national one the rows' column totals."""
    rows = [NATIONAL, *regions]
    groups = [Group((year, row), tuple((period, row) for period in periods)) for row in rows]
    groups += [
        Group((period, NATIONAL), tuple((period, region) for region in regions))
        for period in periods
    ]

    def shapes(cell: Cell) -> Iterator[Legs]:
        period, row = cell
        for other in periods:
            if other == period:
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
                yield (*along, ((period, second), sign), ((other, second), -sign))

    protected = frozenset((period, row) for period in periods for row in rows)
    return Component(values, protected, tuple(groups), shapes)
