"""A youth's counted events of a year as integer codes, and what they add to the figures.

The live counters keep, per (year, youth), the list of the youth's counted events
of that year (``youth_state.codes``), one integer each::

    code = structure number << 13 | region index << 8 | month << 4 | fact index

(the structure number from ``structure_numbers``, the region's index in
shared.regions.REGIONS, the month 1–12, the fact's index in shared.figures.FACTS).
That is all the figures need to know of an event: which cells it counts in
(shared.scopes.counted_cells: the year nationally, in its region and its structure;
its month nationally and in its region) and which fact it gives.

A youth's contribution to a cell is a function of the set of facts present among
its codes in that cell (a bitmask) and of the number of its events of the
EVENT_COUNTS facts; ``Moves`` gathers, over a claim, how many youths leave and
enter each (cell, mask) and how the event counts move, and turns them into figure
deltas with ``shared.figures.figures_of_patterns`` — the one definition.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cache

from shared.figures import COUNTED, EVENT_COUNTS, FACT_INDEX, FACTS, figures_of_patterns
from shared.regions import REGIONS
from shared.scopes import NATIONAL, scope_key

REGION_CODES: tuple[str, ...] = tuple(REGIONS)
REGION_INDEX: dict[str, int] = {code: i for i, code in enumerate(REGION_CODES)}
MAX_STRUCTURE_NUMBER = (1 << 18) - 1  # codes stay positive 32-bit integers

# A cell of a youth's year: month 0 is the year itself; level 0 national, 1 region,
# 2 structure (the id is then the region index or the structure number).
_LEVEL_SHIFT, _MONTH_SHIFT = 22, 26
_REGION_LEVEL, _STRUCTURE_LEVEL = 1 << _LEVEL_SHIFT, 2 << _LEVEL_SHIFT
_COUNTED_FACTS: tuple[int, ...] = tuple(FACT_INDEX[fact] for fact in EVENT_COUNTS.values())


def encode(structure_number: int, region: str, month: int, fact: str) -> int:
    if not 0 < structure_number <= MAX_STRUCTURE_NUMBER:
        raise ValueError(f"structure number {structure_number} out of range")
    return structure_number << 13 | REGION_INDEX[region] << 8 | month << 4 | FACT_INDEX[fact]


@cache  # a year holds at most structures × 12 months × 13 facts distinct codes
def cells_of(code: int) -> tuple[int, ...]:
    """The cells (of its year) an event counts in: shared.scopes.counted_cells, as integers."""
    month = (code >> 4) & 15
    region = (code >> 8) & 31
    return (
        0,
        _REGION_LEVEL | region,
        _STRUCTURE_LEVEL | code >> 13,
        month << _MONTH_SHIFT,
        month << _MONTH_SHIFT | _REGION_LEVEL | region,
    )


def cell_masks(codes: Iterable[int]) -> dict[int, int]:
    """The bitmask of the facts present in each cell, for one youth's codes of a year."""
    masks: dict[int, int] = {}
    for code in codes:
        bit = 1 << (code & 15)
        for cell in cells_of(code):
            masks[cell] = masks.get(cell, 0) | bit
    return masks


@cache
def _presence(mask: int) -> tuple[int, ...]:
    return tuple((mask >> i) & 1 for i in range(len(FACTS)))


class Moves:
    """How a claim moves the COUNTED figures of every cell it touches."""

    def __init__(self) -> None:
        self._youths: dict[tuple[int, int, int], int] = {}  # (year, cell, mask) -> Δ youths
        self._events: dict[tuple[int, int, int], int] = {}  # (year, cell, fact) -> Δ events

    def youth(
        self,
        year: int,
        before: Sequence[int],
        after: Sequence[int],
        added: Iterable[int] = (),
        removed: Iterable[int] = (),
    ) -> None:
        """One youth's codes of ``year`` went from ``before`` to ``after``, by adding and
        removing these codes."""
        old, new = cell_masks(before), cell_masks(after)
        youths = self._youths
        for cell in old.keys() | new.keys():
            mask_before, mask_after = old.get(cell, 0), new.get(cell, 0)
            if mask_before != mask_after:
                if mask_before:
                    key = (year, cell, mask_before)
                    youths[key] = youths.get(key, 0) - 1
                if mask_after:
                    key = (year, cell, mask_after)
                    youths[key] = youths.get(key, 0) + 1
        for codes, sign in ((added, 1), (removed, -1)):
            for code in codes:
                fact = code & 15
                if fact in _COUNTED_FACTS:
                    for cell in cells_of(code):
                        key = (year, cell, fact)
                        self._events[key] = self._events.get(key, 0) + sign

    def figure_deltas(self, structure_ids: Mapping[int, str]) -> dict[tuple[str, str], list[int]]:
        """The COUNTED deltas per (period, scope), for the cells that move."""
        patterns: dict[tuple[int, int], list[tuple[tuple[int, ...], int, dict[str, int]]]] = {}
        for (year, cell, mask), youths in self._youths.items():
            if youths:
                patterns.setdefault((year, cell), []).append((_presence(mask), youths, {}))
        for (year, cell, fact), events in self._events.items():
            if events:
                item = (_presence(0), 0, {FACTS[fact]: events})
                patterns.setdefault((year, cell), []).append(item)
        deltas: dict[tuple[str, str], list[int]] = {}
        for (year, cell), items in patterns.items():
            totals = figures_of_patterns(items)
            move = [totals[key] for key in COUNTED]
            if any(move):
                deltas[cell_key(year, cell, structure_ids)] = move
        return deltas


def cell_key(year: int, cell: int, structure_ids: Mapping[int, str]) -> tuple[str, str]:
    """The (period, scope) strings of a cell of ``year`` (shared.scopes)."""
    month = cell >> _MONTH_SHIFT
    period = f"{year:04d}-{month:02d}" if month else f"{year:04d}"
    level, identifier = cell & (3 << _LEVEL_SHIFT), cell & ((1 << _LEVEL_SHIFT) - 1)
    if level == _STRUCTURE_LEVEL:
        return period, scope_key("structure", structure_ids[identifier])
    if level == _REGION_LEVEL:
        return period, scope_key("region", REGION_CODES[identifier])
    return period, NATIONAL
