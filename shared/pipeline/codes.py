"""A youth's counted events of a year as integer codes, and what they add to the figures.

The live counters keep, per (year, youth), the list of the youth's counted events
of that year (``youth_state.codes``), one integer each::

    code = structure number << 13 | region index << 8 | month << 4 | fact index

(the structure number from ``structure_numbers``, the region's index in
shared.regions.REGIONS, the month 1–12, the fact's index in shared.figures.FACTS).
That is all the figures need to know of an event: which cells it counts in
(shared.scopes.counted_cells: the year and its month, each nationally, in its region
and in its structure) and which fact it gives.

A youth's contribution to a cell is a function of the set of facts present among
its codes in that cell (a bitmask) and of the number of its events of the
EVENT_COUNTS facts; ``Moves`` gathers, over a claim, how many youths leave and
enter each (cell, mask) and how the event counts move, and turns them into figure
deltas with ``shared.figures.figures_of_mask`` — ``youth_figures``, the one definition.

**The year to date** (SPEC §4.3). Its figures are those of the youth's facts *cumulated*
from January: through month M, the OR of its month masks of January to M, in each scope.
Storing them for every M would write up to twelve cells per scope whenever a youth's
January changes; instead each (month, scope) has an *increment* cell holding, summed over
youths, ``youth_figures(cumulated through M) − youth_figures(cumulated through M − 1)``:
the youths for whom a figure's condition first holds in M (and, for the event counts,
the month's events). The year to date through M is then the sum of the increments of
January to M — a telescoping sum, read from at most twelve rows, exact, and kept with the
other counters (nothing is recomputed from youth-level rows when it is read). A youth
counts in the increment cell of a month only where its cumulated facts change in that
month: each increment cell of a youth is the pair (cumulated before, cumulated after),
and a claim moves a cell only when that pair changes — as it moves the other cells only
when a mask does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cache

from shared.figures import COUNTED, EVENT_COUNT_INDEX, FACT_INDEX, FACTS, figures_of_mask
from shared.regions import REGIONS
from shared.scopes import NATIONAL, increment_period, scope_key, year_period

REGION_CODES: tuple[str, ...] = tuple(REGIONS)
REGION_INDEX: dict[str, int] = {code: i for i, code in enumerate(REGION_CODES)}
MAX_STRUCTURE_NUMBER = (1 << 18) - 1  # codes stay positive 32-bit integers

# A cell of a youth's year: month 0 is the year itself; level 0 national, 1 region,
# 2 structure (the id is then the region index or the structure number); the increment
# flag makes a month's cell its increment cell of the year to date.
_LEVEL_SHIFT, _MONTH_SHIFT = 22, 26
_REGION_LEVEL, _STRUCTURE_LEVEL = 1 << _LEVEL_SHIFT, 2 << _LEVEL_SHIFT
_INCREMENT = 1 << 24
_SCOPE = (1 << 24) - 1  # the level and the id: the scope of a cell, whatever its period


def encode(structure_number: int, region: str, month: int, fact: str) -> int:
    if not 0 < structure_number <= MAX_STRUCTURE_NUMBER:
        raise ValueError(f"structure number {structure_number} out of range")
    return structure_number << 13 | REGION_INDEX[region] << 8 | month << 4 | FACT_INDEX[fact]


@cache  # a year holds at most structures × 12 months × 13 facts distinct codes
def cells_of(code: int) -> tuple[int, ...]:
    """The cells (of its year) an event counts in: shared.scopes.counted_cells, as integers."""
    month = ((code >> 4) & 15) << _MONTH_SHIFT
    region = _REGION_LEVEL | (code >> 8) & 31
    structure = _STRUCTURE_LEVEL | code >> 13
    return (0, region, structure, month, month | region, month | structure)


def cell_masks(codes: Iterable[int]) -> dict[int, int]:
    """The bitmask of the facts present in each cell, for one youth's codes of a year."""
    masks: dict[int, int] = {}
    for code in codes:
        bit = 1 << (code & 15)
        for cell in cells_of(code):
            masks[cell] = masks.get(cell, 0) | bit
    return masks


_MONTHS = tuple(month << _MONTH_SHIFT for month in range(1, 13))


_MASK_BITS, _FACT_BITS, _CELL_BITS = 13, 4, 30
_MASK, _FACT, _CELL = (1 << _MASK_BITS) - 1, (1 << _FACT_BITS) - 1, (1 << _CELL_BITS) - 1
_COUNT_OF_FACT: dict[int, int] = {
    FACT_INDEX[fact]: index for fact, index in EVENT_COUNT_INDEX.items()
}
assert len(FACTS) <= _MASK_BITS


class Moves:
    """How a claim moves the COUNTED figures of every cell it touches.

    Keys are packed integers, (year, cell) then the mask or the fact: a claim adds
    tens of thousands of them, and ints hash faster than tuples.
    """

    def __init__(self) -> None:
        self._youths: dict[int, int] = {}  # (year, cell, mask) -> Δ youths with that mask
        self._events: dict[int, int] = {}  # (year, cell, fact) -> Δ events of that fact

    def youth(
        self,
        year: int,
        before: Sequence[int],
        after: Sequence[int],
        added: Iterable[int] = (),
        removed: Iterable[int] = (),
    ) -> list[tuple[int, int, int]]:
        """One youth's codes of ``year`` went from ``before`` to ``after``, by adding and
        removing these codes (``after`` is ``before`` with ``added``, without ``removed``).

        Returns the year's own cells whose facts changed (national, region, structure: the
        cells of the profiles), each with its mask before and after."""
        base = year << _CELL_BITS
        youths = self._youths
        old = cell_masks(before) if before else {}
        touched: set[int] | list[int]
        if removed:
            new = cell_masks(after)
            touched = [cell for cell in new.keys() | old.keys() if old.get(cell) != new.get(cell)]
        else:
            # Only codes added: the cells they count in are the only ones that can change.
            new = dict(old)
            touched = set()
            for code in added:
                bit = 1 << (code & 15)
                for cell in cells_of(code):
                    mask = new.get(cell, 0)
                    if not mask & bit:
                        new[cell] = mask | bit
                        touched.add(cell)
        changed: list[int] = []  # the month cells whose facts changed
        year_cells: list[tuple[int, int, int]] = []
        for cell in touched:
            entered, left = new.get(cell, 0), old.get(cell, 0)
            if entered:
                key = (base | cell) << _MASK_BITS | entered
                youths[key] = youths.get(key, 0) + 1
            if left:
                key = (base | cell) << _MASK_BITS | left
                youths[key] = youths.get(key, 0) - 1
            if cell >> _MONTH_SHIFT:
                changed.append(cell)
            else:
                year_cells.append((cell, left, entered))
        if changed:
            self._increments(base, old, new, changed)
        events = self._events
        for codes, sign in ((added, 1), (removed, -1)):
            for code in codes:
                fact = code & _FACT
                if fact in _COUNT_OF_FACT:
                    for cell in cells_of(code):
                        key = (base | cell) << _FACT_BITS | fact
                        events[key] = events.get(key, 0) + sign
        return year_cells

    def _increments(
        self, base: int, old: Mapping[int, int], new: Mapping[int, int], changed: list[int]
    ) -> None:
        """Move the increment cells of one youth whose facts changed in these month cells.

        An increment cell holds figures(through) − figures(before) of the youth's facts
        cumulated from January through its month and before it: they depend on the
        scope's months only, and only from the first month that changed. Each changed
        scope's months are gone through from there, old and new side by side, until they
        agree again after the last one that changed; a cell moves where its pair changed.
        """
        youths = self._youths
        bounds: dict[int, list[int]] = {}  # scope -> [first, last] month that changed
        for cell in changed:
            month = cell >> _MONTH_SHIFT
            span = bounds.get(cell & _SCOPE)
            if span is None:
                bounds[cell & _SCOPE] = [month, month]
            elif month < span[0]:
                span[0] = month
            elif month > span[1]:
                span[1] = month
        for scope, (first, last) in bounds.items():
            before = 0
            for month in _MONTHS[: first - 1]:  # the same on both sides
                before |= new.get(month | scope, 0)
            old_before = new_before = before
            for index in range(first - 1, 12):
                cell = _MONTHS[index] | scope
                if index < last:
                    old_through = old_before | old.get(cell, 0)
                    new_through = new_before | new.get(cell, 0)
                else:  # after the last month that changed, the same facts on both sides
                    mask = new.get(cell)
                    if mask is None:
                        continue
                    old_through, new_through = old_before | mask, new_before | mask
                if old_through != new_through or old_before != new_before:
                    key = (base | cell | _INCREMENT) << _MASK_BITS
                    if new_through != new_before:
                        youths[key | new_through] = youths.get(key | new_through, 0) + 1
                        if new_before:
                            youths[key | new_before] = youths.get(key | new_before, 0) - 1
                    if old_through != old_before:
                        youths[key | old_through] = youths.get(key | old_through, 0) - 1
                        if old_before:
                            youths[key | old_before] = youths.get(key | old_before, 0) + 1
                if index >= last - 1 and old_through == new_through:
                    break  # from here on, the same facts before each month and in it
                old_before, new_before = old_through, new_through

    def figure_deltas(self, structure_ids: Mapping[int, str]) -> dict[tuple[str, str], list[int]]:
        """The COUNTED deltas per (period, scope), for the cells that move."""
        per_cell: dict[int, list[int]] = {}
        for key, youths in self._youths.items():
            if youths:
                totals = per_cell.get(key >> _MASK_BITS)
                if totals is None:
                    totals = per_cell[key >> _MASK_BITS] = [0] * len(COUNTED)
                for index, value in figures_of_mask(key & _MASK):
                    totals[index] += value * youths
        for key, events in self._events.items():
            if events:
                cell = key >> _FACT_BITS
                # A month's events are also its increment of the year to date.
                month = (cell >> _MONTH_SHIFT) & 15
                for packed in (cell, cell | _INCREMENT) if month else (cell,):
                    totals = per_cell.get(packed)
                    if totals is None:
                        totals = per_cell[packed] = [0] * len(COUNTED)
                    totals[_COUNT_OF_FACT[key & _FACT]] += events
        return {
            cell_key(packed >> _CELL_BITS, packed & _CELL, structure_ids): totals
            for packed, totals in per_cell.items()
            if any(totals)
        }


def cell_key(year: int, cell: int, structure_ids: Mapping[int, str]) -> tuple[str, str]:
    """The (period, scope) strings of a cell of ``year`` (shared.scopes)."""
    month = cell >> _MONTH_SHIFT
    if not month:
        period = year_period(year)
    elif cell & _INCREMENT:
        period = increment_period(year, month)
    else:
        period = f"{year:04d}-{month:02d}"
    level, identifier = cell & (3 << _LEVEL_SHIFT), cell & ((1 << _LEVEL_SHIFT) - 1)
    if level == _STRUCTURE_LEVEL:
        return period, scope_key("structure", structure_ids[identifier])
    if level == _REGION_LEVEL:
        return period, scope_key("region", REGION_CODES[identifier])
    return period, NATIONAL
