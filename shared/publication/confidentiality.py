"""Statistical confidentiality of the public figures: small counts withheld, and whatever
would give them back.

For readers without a token, ``BILAN_PUBLIC_MIN_COUNT`` = k (0: off) withholds, in every
*protected* cell — a structure's year, a month (nationally or in a region) — each count
of distinct youths from 1 to k − 1 (a zero is published: it tells nothing about anyone).
The year cells of the regions and of the nation are published exactly, as SPEC §4 gives
them, whatever their size: they are the *totals* the protected cells must not be worked
back from. Withheld as well, because they would say as much:

- ``access_rate`` when ``youths_with_access`` or ``youths_interviewed`` is withheld
  (it is their quotient: with the other one published, it gives the withheld one back);
- ``interviews`` when ``youths_interviewed`` is withheld: the interviews of fewer than k
  youths describe those few youths as their number does.

**What a reader can work out.** Published values are exact and the definitions public,
so a reader knows every relation below — even, at worst, which of the sums hold on the
data — and combines them at will (solving the equations, intersecting the bounds). A
withheld value is to him any integer ≥ 0: the answers do not say which nulls are below
k and which protect another, and the pages must not either (one mark for every null).

1. *Sums.* ``interviews`` counts events, each in exactly one structure and one month: a
   region's interviews are the sum of its structures', a year's the sum of its months', a
   national month's the sum of the regions' that month. Counts of youths are **not**
   additive — a youth met by two structures counts once in their region, a youth seen in
   March and in May once in the year — but the same subtraction works for them wherever
   the parts happen to be disjoint (first receptions and CIVIS entries and exits by month,
   a rare outcome by structure), since the total's youths are then exactly the sum. So a
   sum is a relation wherever it holds on the data, and only there: where it does not, a
   reader who assumes it computes a wrong value, not the withheld one.
2. *Between cells, bounds.* A total's facts are its parts' facts together, so no part
   counts more youths than its total; and for a count that asks for one kind of fact
   (first reception, contact, interview or workshop, CIVIS entry, exit, a reason), the
   total counts no more than its parts together. Not so for ``youths_with_access`` and
   its three kinds: they ask for an interview *and* an outcome "in the same year and
   scope" (SPEC §4), so a youth interviewed at one structure who finds a job through
   another counts in their region's figure and in neither structure's — the region's
   value may exceed the sum of the structures'.
3. *Within a cell.* Each count is at most the one it is part of (interviewed ⊆ received
   ⊆ in contact; each outcome kind ⊆ with access ⊆ interviewed; each exit reason ⊆ exits
   ⊆ in contact; first receptions and CIVIS entries ⊆ in contact); ``youths_with_access``
   is the union of its three kinds and ``civis_exits`` of its four reasons (a sum where
   no youth has two — for the exits nearly always: the 2007 report's reasons add up to
   its exits); ``youths_interviewed`` ≤ ``interviews``, and one is 0 when the other is.
4. Cells of different years are never published in one relation (a series is year by
   year), and a structure has no published months, so the structures of one region in
   one year form an independent *component* (their region's year cell a constant), and
   the months of one year another (national and regional months; the year cells are the
   constants): each component is protected on its own.

**The rule: a certificate for every withheld value.** A value cannot be worked out if
another set of values, differing in it, fits everything published just as well. So
each withheld value gets a *move* that builds such an alternative: one unit of a set of
keys shifted between two structures of its region, or between two months of its row
(and, where the sums need it, between the national months too), or around a rectangle
of two regions × two months. The set of keys is closed under the relations of point 3
(withholding a count below a bound that has no room drags the bound along); the move
must keep every relation of points 1–3 true, values ≥ 0 and every published value
untouched. Whatever the cheapest such move needs withheld is withheld with it — the
*companions* (the cheapest move: the least published value lost, then the fewest values).
Withholding more never spoils a move, so one pass suffices. A value
stays *exposed* when no move is found (a region of one structure, a year whose activity
is all in one month: the public total *is* that value; or, rarely, when only a move of a
shape not tried here — say two outcome kinds swapped between two structures — would do):
``exposed`` lists them; each is still withheld, and hidden among all the cells of its
groups (its key withheld in every one of them), which protects it whenever some other
alternative exists.

``tests/shared/publication/test_confidentiality.py`` checks the rule against a stronger reader: an
integer linear program over the relations — derived there from the definitions, apart
from this module — that finds the least and greatest value every withheld value can
take; on random data none outside ``exposed`` is pinned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from shared.events import EXIT_REASONS
from shared.figures import COUNTED, EVENT_COUNTS
from shared.scopes import NATIONAL, Cell

# The counts of distinct youths, which the threshold applies to.
DISTINCT: tuple[str, ...] = tuple(key for key in COUNTED if key not in EVENT_COUNTS)
_EXITS = tuple(f"civis_exits_{reason}" for reason in EXIT_REASONS)
_ACCESS_KINDS = ("youths_employment", "youths_subsidized_or_work_study", "youths_training")
# Point 2: the counts that need two facts at once, so a total may exceed its parts' sum.
CONJUNCTIVE: frozenset[str] = frozenset({"youths_with_access", *_ACCESS_KINDS})

# Point 3, within one cell: each count's youths are among those of this one.
PART_OF: dict[str, str] = {
    "youths_first_reception": "youths_in_contact",
    "youths_received": "youths_in_contact",
    "youths_interviewed": "youths_received",
    "youths_with_access": "youths_interviewed",
    **dict.fromkeys(_ACCESS_KINDS, "youths_with_access"),
    "civis_entries": "youths_in_contact",
    "civis_exits": "youths_in_contact",
    **dict.fromkeys(_EXITS, "civis_exits"),
}
# Point 3, within one cell: the total's youths are the union of these counts' youths.
UNION_OF: dict[str, tuple[str, ...]] = {
    "youths_with_access": _ACCESS_KINDS,
    "civis_exits": _EXITS,
}

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


@dataclass(frozen=True)
class Withheld:
    """What the public does not see: per cell, the keys published as null.

    ``below`` are the counts under the threshold, ``protecting`` the values withheld so
    that those cannot be worked out (dependents and companions), ``exposed`` the withheld
    values no move protects (see the module's docstring).
    """

    below: Mapping[Cell, frozenset[str]]
    protecting: Mapping[Cell, frozenset[str]]
    exposed: frozenset[Term]

    def keys(self, cell: Cell) -> frozenset[str]:
        """Every key withheld in ``cell``, ``access_rate`` included."""
        keys = self.below.get(cell, frozenset()) | self.protecting.get(cell, frozenset())
        if keys & {"youths_with_access", "youths_interviewed"}:
            keys |= {"access_rate"}
        return keys


NOTHING_WITHHELD = Withheld({}, {}, frozenset())


def withhold(component: Component, min_count: int) -> Withheld:
    """What to withhold from one component: below the threshold, and the companions."""
    if min_count <= 0:
        return NOTHING_WITHHELD
    values = component.values

    def value(term: Term) -> int:
        return int(values.get(term[0], {}).get(term[1], 0))

    below = {
        (cell, key)
        for cell in component.protected
        for key in DISTINCT
        if 0 < value((cell, key)) < min_count
    }
    withheld = below | {(cell, "interviews") for cell, key in below if key == "youths_interviewed"}
    relations = _Relations(component, value)
    certified: set[Term] = set()
    exposed: set[Term] = set()
    pending = sorted(withheld, key=repr)
    while pending:
        term = pending.pop(0)
        if term in certified or term in exposed:
            continue
        move = _cheapest_move(term, component, relations, withheld, value)
        if move is None:
            # No move found: hidden among every cell it is gathered with (the moves tried
            # are not all there are, so this may still protect it), and reported; what it
            # hides among is audited in its turn.
            exposed.add(term)
            among = _alongside(term, component) - withheld
            withheld |= among
            pending += sorted(among, key=repr)
            continue
        withheld |= move.keys()
        certified |= move.keys()
    return Withheld(_by_cell(below), _by_cell(withheld - below), frozenset(exposed))


def _alongside(term: Term, component: Component) -> set[Term]:
    """The same key in every protected cell of the groups ``term``'s cell is in."""
    cell, key = term
    return {
        (other, key)
        for group in component.groups
        if cell in group.parts or cell == group.total
        for other in (group.total, *group.parts)
        if other in component.protected
    }


def _by_cell(terms: Iterable[Term]) -> dict[Cell, frozenset[str]]:
    cells: dict[Cell, set[str]] = {}
    for cell, key in terms:
        cells.setdefault(cell, set()).add(key)
    return {cell: frozenset(keys) for cell, keys in cells.items()}


# -- the relations of points 1-3 ---------------------------------------------------------


class _Relation(NamedTuple):
    """sum(coefficients × terms) == 0 (``equal``) or <= 0; a ``link``: zero together."""

    coefficients: tuple[int, ...]
    terms: tuple[Term, ...]
    equal: bool = False
    link: bool = False
    within: bool = False  # between the keys of one cell (point 3)

    def left(self, value: Callable[[Term], int]) -> int:
        return sum(c * value(t) for c, t in zip(self.coefficients, self.terms, strict=True))


class _Relations:
    """Every relation that holds on the component's values, by the terms in it, and each
    one's left-hand side on the data (so that a move is checked on its own terms only)."""

    def __init__(self, component: Component, value: Callable[[Term], int]) -> None:
        self.value = value
        self.relations: list[_Relation] = []
        self.left: list[int] = []
        self.by_term: dict[Term, list[tuple[int, int]]] = {}  # term -> (relation, coefficient)
        for group in component.groups:
            for key in COUNTED:
                self._gathered(
                    (group.total, key),
                    [(part, key) for part in group.parts],
                    within=False,
                    sub_additive=key not in CONJUNCTIVE and key not in EVENT_COUNTS,
                )
        for cell in component.protected:
            for key, whole in PART_OF.items():
                self._add(_Relation((1, -1), ((cell, key), (cell, whole)), within=True))
            for whole, parts in UNION_OF.items():
                terms = [(cell, part) for part in parts]
                self._gathered((cell, whole), terms, within=True, sub_additive=True)
            interviewed, interviews = (cell, "youths_interviewed"), (cell, "interviews")
            self._add(_Relation((1, -1), (interviewed, interviews), within=True))
            self._add(_Relation((1, 1), (interviewed, interviews), link=True, within=True))

    def _gathered(self, total: Term, parts: list[Term], within: bool, sub_additive: bool) -> None:
        ones = (1,) * len(parts)
        if self.value(total) == sum(self.value(part) for part in parts):  # point 1
            self._add(_Relation((-1, *ones), (total, *parts), equal=True, within=within))
        elif sub_additive:  # point 2 (where the sum does not hold)
            self._add(_Relation((1, *(-c for c in ones)), (total, *parts), within=within))
        if total[1] not in EVENT_COUNTS:
            for part in parts:
                self._add(_Relation((1, -1), (part, total), within=within))

    def _add(self, relation: _Relation) -> None:
        left = relation.left(self.value)
        if relation.link:
            first, second = (self.value(term) for term in relation.terms)
            holds = (first == 0) == (second == 0)
        else:
            holds = left == 0 if relation.equal else left <= 0
        if not holds:
            return  # point 1: only what holds on the data
        index = len(self.relations)
        self.relations.append(relation)
        self.left.append(left)
        for c, term in zip(relation.coefficients, relation.terms, strict=True):
            self.by_term.setdefault(term, []).append((index, c))

    def broken(self, move: Mapping[Term, int]) -> list[_Relation]:
        """The relations the data moved by ``move`` no longer satisfies."""
        change: dict[int, int] = {}
        for term, step in move.items():
            for index, c in self.by_term.get(term, ()):
                change[index] = change.get(index, 0) + c * step
        broken = []
        for index, delta in change.items():
            relation = self.relations[index]
            if relation.link:
                first, second = (self.value(t) + move.get(t, 0) for t in relation.terms)
                holds = (first == 0) == (second == 0)
            else:
                left = self.left[index] + delta
                holds = left == 0 if relation.equal else left <= 0
            if not holds:
                broken.append(relation)
        return broken


# -- moves: the alternative values that certify a withheld one -------------------------

_MAX_STATES = 48  # sets of keys tried per move shape


def _cheapest_move(
    term: Term,
    component: Component,
    relations: _Relations,
    withheld: set[Term],
    value: Callable[[Term], int],
) -> dict[Term, int] | None:
    """The valid move changing ``term`` that withholds the least: by the published value it
    hides, then by how many values. None if no shape gives a valid move."""
    cell, key = term

    def least_cost(legs: Legs) -> tuple[int, int]:
        # A move hides at least ``key`` in each of its cells.
        hidden = [(leg, key) for leg, _ in legs if (leg, key) not in withheld]
        return sum(value(t) for t in hidden), len(hidden)

    best: tuple[tuple[int, int], dict[Term, int]] | None = None
    shapes = [
        legs
        for legs in component.shapes(cell)
        if all(leg in component.protected for leg, _ in legs)
    ]
    for legs in sorted(shapes, key=least_cost):
        if best is not None and least_cost(legs) >= best[0]:
            break
        for sign in (1, -1):
            move = _closed_move(tuple((leg, sign * s) for leg, s in legs), key, relations, value)
            if move is None:
                continue
            hidden = [t for t in move if t not in withheld]
            cost = (sum(value(t) for t in hidden), len(hidden))
            if best is None or cost < best[0]:
                best = (cost, move)
            if cost == (0, 0):
                return move
    return None if best is None else best[1]


def _closed_move(
    legs: Legs, key: str, relations: _Relations, value: Callable[[Term], int]
) -> dict[Term, int] | None:
    """The move shifting, along ``legs``, the smallest set of keys containing ``key`` that
    keeps every relation true and every value ≥ 0 (breadth first); None if there is none."""
    frontier = [frozenset({key})]
    seen = set(frontier)
    while frontier and len(seen) <= _MAX_STATES:
        keys = frontier.pop(0)
        move = {(cell, k): step for cell, step in legs for k in keys}
        if any(value(t) + step < 0 for t, step in move.items()):
            continue
        broken = relations.broken(move)
        if not broken:
            return move
        if any(not r.within for r in broken):
            continue  # a relation between cells: no key added within a cell repairs it
        for relation in broken:
            for _, other in relation.terms:
                grown = keys | {other}
                if grown not in seen:
                    seen.add(grown)
                    frontier.append(grown)
    return None
