"""The youths of consecutive simulated years: who comes back, under which id, where.

A youth planned as known (no first reception this year) is, where one fits, a youth of
an earlier simulated year, with its id and its last structure: one who never entered
CIVIS if the plan enters it, one still in CIVIS if the plan has it leave without entering
this year, preferably one not in CIVIS otherwise (those still in are kept for the exits
of later years). Where none fits, or in the first year, it is a youth of the network from
before the simulated years: a new id, and no first reception. So a youth has at most one
first reception across the years, enters CIVIS at most once, and leaves at most once,
not before entering.

Youths come back within ``CARRY_YEARS`` of their last year; the pools hold one packed
integer per youth (about 8 bytes: a national year is about a million youths).
"""

from __future__ import annotations

import random
from array import array
from collections.abc import Sequence
from typing import Literal, NamedTuple

from simulator.youth import Youth

CARRY_YEARS = 3  # a youth comes back at most this many years after its last one
State = Literal["never", "in", "out"]  # in CIVIS: never entered, entered and not out, out
STATES: tuple[State, ...] = ("never", "in", "out")

# A packed youth: origin year offset (6 bits), number within its origin year (24), last
# structure (12), last year offset (6).
_N_BITS, _HOME_BITS, _YEAR_BITS = 24, 12, 6


def _pack(origin: int, n: int, home: int, last: int) -> int:
    return ((origin << _N_BITS | n) << _HOME_BITS | home) << _YEAR_BITS | last


def _unpack(packed: int) -> tuple[int, int, int, int]:
    last = packed & ((1 << _YEAR_BITS) - 1)
    packed >>= _YEAR_BITS
    home = packed & ((1 << _HOME_BITS) - 1)
    packed >>= _HOME_BITS
    return packed >> _N_BITS, packed & ((1 << _N_BITS) - 1), home, last


class Cohort:
    """The youths of years ``first``..``last`` as they are drawn, year after year."""

    def __init__(self, first: int, last: int, seed: int, structures: Sequence[str]) -> None:
        if not 0 <= last - first < 1 << _YEAR_BITS:
            raise ValueError(f"at most {1 << _YEAR_BITS} years")
        if len(structures) >= 1 << _HOME_BITS:
            raise ValueError(f"at most {(1 << _HOME_BITS) - 1} structures")
        self.first, self.last, self.seed = first, last, seed
        self.structures = list(structures)
        self._index = {sid: i for i, sid in enumerate(self.structures)}
        # Every event id of these years starts with this, and no other simulation's does.
        self.event_prefix = event_prefix(first, last, seed)
        self._pools: dict[State, array[int]] = {state: array("q") for state in STATES}
        self._seen: dict[State, array[int]] = {state: array("q") for state in STATES}
        self._year = first
        self._rng = random.Random(f"bilan-cohort:{first}:{last}:{seed}")
        self.carried = 0

    def begin(self, year: int) -> None:
        """Start ``year``: last year's youths join the pools, the long gone leave them."""
        self._year = year
        offset = year - self.first
        for state in STATES:
            kept = array(
                "q",
                (p for p in self._pools[state] if offset - _unpack(p)[3] <= CARRY_YEARS),
            )
            kept.extend(self._seen[state])
            self._pools[state], self._seen[state] = kept, array("q")

    def identity(self, youth: Youth, n: int) -> tuple[str, str | None, Returning]:
        """Who the ``n``-th of the year's plans is: its id, the structure it was last at
        (None: a youth new to these years), and what ``record`` needs of it."""
        types = {planned.type for planned in youth.events}
        enters, leaves = "civis_entry" in types, "civis_exit" in types
        state: State = "never"
        if not youth.first:
            wanted: tuple[State, ...]
            if enters:
                wanted = ("never",)
            elif leaves:
                wanted = ("in",)
            else:
                wanted = ("never", "out", "in")
            for pool_state in wanted:
                pool = self._pools[pool_state]
                if pool:
                    i = self._rng.randrange(len(pool))
                    pool[i], pool[-1] = pool[-1], pool[i]
                    origin, number, home, _ = _unpack(pool.pop())
                    self.carried += 1
                    returning = Returning(origin, number, pool_state)
                    return self._id(returning), self.structures[home], returning
            # None fits: a youth of the network from before these years.
            state = "in" if leaves and not enters else "never"
        returning = Returning(self._year - self.first, n, state)
        return self._id(returning), None, returning

    def record(self, returning: Returning, youth: Youth, structure: str | None) -> None:
        """The youth after this year: its CIVIS state and last structure, for later years."""
        types = {planned.type for planned in youth.events}
        state = returning.state
        if "civis_exit" in types:
            state = "out"
        elif "civis_entry" in types:
            state = "in"
        home = self._index.get(structure or "", 0)
        packed = _pack(returning.origin, returning.number, home, self._year - self.first)
        self._seen[state].append(packed)

    def _id(self, returning: Returning) -> str:
        # The year the youth was first drawn in, and its number in that year: kept after.
        origin = self.first + returning.origin
        return f"Y{self.first}.{self.last}-{self.seed}-{origin}-{returning.number}"


class Returning(NamedTuple):
    """A youth drawn this year: first drawn in year ``first + origin`` as its ``number``-th,
    in CIVIS state ``state`` before this year."""

    origin: int
    number: int
    state: State


def event_prefix(first: int, last: int, seed: int) -> str:
    """How the event ids of the simulated years ``first``..``last`` (seed ``seed``) begin;
    a single simulated year's (``sim-YEAR-SEED-``) never do."""
    return f"sim-{first}.{last}-{seed}-"
