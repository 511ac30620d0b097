"""The profile cells of the live counters: which profile a claim gives each of its youths,
and how the youths' figures move between categories (SPEC §4.2).

A youth counts, in each (year, scope) where it has counted events, in one category of each
dimension (shared/profiles.py): ``profile_counts`` holds, per (year, scope, dimension,
category), the sum of ``shared.figures.youth_figures`` over the youths of that category —
the year cells only (a breakdown by profile is of a year). A claim moves them as it moves
the other cells: for each (year, youth) whose codes change, the youth's year figures leave
its category and come back in it, changed. When the claim changes a youth's *profile* — an
earlier first reception carrying one, or the retraction of the one that gave it — the
youth's figures of every year it has codes in move from the old categories to the new ones:
one more move, made under the youth's lock (shared/pipeline/counters.py says why that is
enough).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from shared.figures import COUNTED, EVENT_COUNT_INDEX, FACT_INDEX, figures_of_mask
from shared.pipeline.codes import cell_key, cells_of
from shared.pipeline.profile_tables import ProfileCell, codes_of_youths, logged_profiles
from shared.profiles import (
    CATEGORIES,
    NO_PROFILE,
    Profile,
    carries_profile,
    categories,
    earlier,
)

Categories = tuple[int, int, int]
# A youth's three categories (one per dimension) travel together, packed in one key: a claim
# adds one entry per cell and mask, not three; figure_deltas spreads them.
_CAT_BITS, _SIDE_BITS, _MASK_BITS, _FACT_BITS, _CELL_BITS = 4, 12, 13, 4, 30
_CAT, _SIDE = (1 << _CAT_BITS) - 1, (1 << _SIDE_BITS) - 1
_MASK, _FACT = (1 << _MASK_BITS) - 1, (1 << _FACT_BITS) - 1
# A cell's level and id (shared/pipeline/codes.py): a structure's cells name its number.
_LEVEL_SHIFT = 22
_LEVEL, _STRUCTURE_LEVEL, _ID = 3 << _LEVEL_SHIFT, 2 << _LEVEL_SHIFT, (1 << _LEVEL_SHIFT) - 1
_COUNT_OF_FACT: dict[int, int] = {FACT_INDEX[f]: i for f, i in EVENT_COUNT_INDEX.items()}
assert len(CATEGORIES) <= 1 << _CAT_BITS and 3 * _CAT_BITS == _SIDE_BITS


def _side(categories: Categories) -> int:
    first, second, third = categories
    return first | second << _CAT_BITS | third << 2 * _CAT_BITS


def year_cells(codes: Iterable[int]) -> dict[int, list[int]]:
    """A youth's year cells (national, its regions, its structures; shared/pipeline/codes.py)
    for its codes of a year: per cell, the bitmask of its facts, then the count of each
    EVENT_COUNTS fact (in ``_COUNT_OF_FACT`` order)."""
    cells: dict[int, list[int]] = {}
    counted = tuple(_COUNT_OF_FACT)
    for code in codes:
        fact = code & 15
        for cell in cells_of(code)[:3]:  # the year's own cells come first
            found = cells.get(cell)
            if found is None:
                found = cells[cell] = [0] * (1 + len(counted))
            found[0] |= 1 << fact
            if fact in _COUNT_OF_FACT:
                found[1 + counted.index(fact)] += 1
    return cells


class ProfileMoves:
    """How a claim moves the profile cells: youths by (year, cell, categories, mask), and
    the event counts by (year, cell, categories, fact), packed into integers."""

    def __init__(self) -> None:
        self._youths: dict[int, int] = {}
        self._events: dict[int, int] = {}

    def youth(
        self,
        year: int,
        before: Sequence[int],
        after: Sequence[int],
        old: Categories,
        new: Categories,
    ) -> None:
        """One youth's codes of ``year`` went from ``before`` to ``after`` and its categories
        from ``old`` to ``new``."""
        was, now = year_cells(before), year_cells(after)
        if old == new and was == now:
            return
        base = year << _CELL_BITS
        for cells, side, sign in ((was, _side(old), -1), (now, _side(new), 1)):
            for cell, (mask, *counts) in cells.items():
                if old == new and was.get(cell) == now.get(cell):
                    continue  # the same on both sides
                key = (base | cell) << _SIDE_BITS | side
                packed = key << _MASK_BITS | mask
                self._youths[packed] = self._youths.get(packed, 0) + sign
                for fact, count in zip(_COUNT_OF_FACT, counts, strict=True):
                    if count:
                        packed = key << _FACT_BITS | fact
                        self._events[packed] = self._events.get(packed, 0) + sign * count

    def moved(
        self,
        year: int,
        cells: Iterable[tuple[int, int, int]],
        side: Categories,
        added: Iterable[int],
        removed: Iterable[int],
    ) -> None:
        """One youth whose categories stay ``side`` (its profile unchanged): its year cells
        ``cells`` went from one mask to another (``Moves.youth`` found them) and these codes
        came and went. What ``youth`` would find by going through all its codes again."""
        base, packed_side = year << _CELL_BITS, _side(side)
        youths, events = self._youths, self._events
        for cell, left, entered in cells:
            key = ((base | cell) << _SIDE_BITS | packed_side) << _MASK_BITS
            if left:
                youths[key | left] = youths.get(key | left, 0) - 1
            if entered:
                youths[key | entered] = youths.get(key | entered, 0) + 1
        for codes, sign in ((added, 1), (removed, -1)):
            for code in codes:
                fact = code & _FACT
                if fact in _COUNT_OF_FACT:
                    for cell in cells_of(code)[:3]:
                        key = ((base | cell) << _SIDE_BITS | packed_side) << _FACT_BITS | fact
                        events[key] = events.get(key, 0) + sign

    def structures(self) -> set[int]:
        """The numbers of the structures whose cells move."""
        cells = {packed >> (_MASK_BITS + _SIDE_BITS) for packed in self._youths}
        return {cell & _ID for cell in cells if cell & _LEVEL == _STRUCTURE_LEVEL}

    def figure_deltas(self, structure_ids: Mapping[int, str]) -> dict[ProfileCell, list[int]]:
        """The COUNTED deltas per (year, scope, dimension, category), for the cells that move."""
        width = len(COUNTED)
        per_cell: dict[int, list[int]] = {}  # (year, cell, category) -> deltas

        def totals_of(key: int, category: int) -> list[int]:
            cell = (key >> _SIDE_BITS) << _CAT_BITS | category
            totals = per_cell.get(cell)
            if totals is None:
                totals = per_cell[cell] = [0] * width
            return totals

        for packed, youths in self._youths.items():
            if youths:
                key = packed >> _MASK_BITS
                figures = figures_of_mask(packed & _MASK)
                side = key & _SIDE
                for category in (side & _CAT, side >> _CAT_BITS & _CAT, side >> 2 * _CAT_BITS):
                    totals = totals_of(key, category)
                    for index, value in figures:
                        totals[index] += value * youths
        for packed, events in self._events.items():
            if events:
                key, index = packed >> _FACT_BITS, _COUNT_OF_FACT[packed & _FACT]
                side = key & _SIDE
                for category in (side & _CAT, side >> _CAT_BITS & _CAT, side >> 2 * _CAT_BITS):
                    totals_of(key, category)[index] += events
        scopes: dict[int, tuple[int, str]] = {}  # (year, cell) -> (year, scope)
        result: dict[ProfileCell, list[int]] = {}
        for key, totals in per_cell.items():
            if any(totals):
                cell = key >> _CAT_BITS
                place = scopes.get(cell)
                if place is None:
                    year = cell >> _CELL_BITS
                    _, scope = cell_key(year, cell & ((1 << _CELL_BITS) - 1), structure_ids)
                    place = scopes[cell] = (year, scope)
                result[(*place, *CATEGORIES[key & _CAT])] = totals
        return result


def event_profile(event: Any) -> Profile | None:
    """The profile a claimed first reception carries (None: it carries none)."""
    if event.type != "first_reception" or not carries_profile(
        event.youth_sex, event.youth_birth_year, event.youth_education_level
    ):
        return None
    return Profile(
        event.event_id,
        event.occurred_on,
        event.youth_sex,
        event.youth_birth_year,
        event.youth_education_level,
    )


def new_profiles(
    session: Session,
    events: Sequence[Any],
    kept_out: Iterable[Any],
    uncounted: Iterable[Any],
    current: Mapping[str, Profile],
    claimed: Sequence[str],
) -> dict[str, Profile]:
    """The youths whose profile this claim changes, each with its new profile. Call it with
    the claim's youths locked, knowing what the claim keeps out and uncounts (step 3).

    A claim's counted first reception carrying a profile gives it if it is earlier than the
    youth's; a claim that uncounts the one that gave it (a retraction) makes the youth's
    profile the best left in the log — read there, the claim's batches counted as applied.
    """
    out = {e.event_id for e in kept_out}
    best: dict[str, Profile] = {}
    for e in events:
        found = event_profile(e) if e.event_id not in out else None
        if found is not None:
            best[e.youth_id] = earlier(best.get(e.youth_id, found), found)
    lost = sorted(
        {
            t.youth_id
            for t in uncounted
            if current.get(t.youth_id, NO_PROFILE).source_id == t.event_id
        }
    )
    logged = logged_profiles(session, lost, claimed)
    changed: dict[str, Profile] = {}
    for youth_id in best.keys() | set(lost):
        before = current.get(youth_id, NO_PROFILE)
        if youth_id in logged or youth_id in lost:
            after = logged.get(youth_id, NO_PROFILE)  # the log's best holds the claim's own
        else:
            after = earlier(before, best[youth_id])
        if after != before:
            changed[youth_id] = after
    return changed


def move_other_years(
    session: Session,
    moves: ProfileMoves,
    before: Mapping[str, Profile],
    changed: Mapping[str, Profile],
    claimed: Iterable[tuple[int, str]],
) -> None:
    """Move the figures of the changed youths' years the claim does not touch (their codes
    unchanged) from the old categories to the new: every year with codes, whatever the
    scope. Call it with the youths locked: no other claim can hold those rows."""
    if not changed:
        return
    skip = set(claimed)
    for (year, youth_id), codes in sorted(codes_of_youths(session, sorted(changed)).items()):
        if (year, youth_id) not in skip:
            old, new = before[youth_id], changed[youth_id]
            moves.youth(year, codes, codes, categories(old, year), categories(new, year))
