"""The reader's knowledge and the moves that beat it (shared/publication/confidentiality.py):
the relations of points 1–3 that hold on a component's values, and, for a withheld value, the
cheapest move — an alternative set of values, differing in it, that keeps them all true.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

from shared.events import EXIT_REASONS
from shared.figures import COUNTED, EVENT_COUNTS
from shared.publication.components import Component, Legs, Term

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


# -- the relations of points 1-3 ---------------------------------------------------------


class Relation(NamedTuple):
    """sum(coefficients × terms) == 0 (``equal``) or <= 0; a ``link``: zero together."""

    coefficients: tuple[int, ...]
    terms: tuple[Term, ...]
    equal: bool = False
    link: bool = False
    within: bool = False  # between the keys of one cell (point 3)

    def left(self, value: Callable[[Term], int]) -> int:
        return sum(c * value(t) for c, t in zip(self.coefficients, self.terms, strict=True))


class Relations:
    """Every relation that holds on the component's values, by the terms in it, and each
    one's left-hand side on the data (so that a move is checked on its own terms only)."""

    def __init__(self, component: Component, value: Callable[[Term], int]) -> None:
        self.value = value
        self.relations: list[Relation] = []
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
                self._add(Relation((1, -1), ((cell, key), (cell, whole)), within=True))
            for whole, parts in UNION_OF.items():
                terms = [(cell, part) for part in parts]
                self._gathered((cell, whole), terms, within=True, sub_additive=True)
            interviewed, interviews = (cell, "youths_interviewed"), (cell, "interviews")
            self._add(Relation((1, -1), (interviewed, interviews), within=True))
            self._add(Relation((1, 1), (interviewed, interviews), link=True, within=True))

    def _gathered(self, total: Term, parts: list[Term], within: bool, sub_additive: bool) -> None:
        ones = (1,) * len(parts)
        if self.value(total) == sum(self.value(part) for part in parts):  # point 1
            self._add(Relation((-1, *ones), (total, *parts), equal=True, within=within))
        elif sub_additive:  # point 2 (where the sum does not hold)
            self._add(Relation((1, *(-c for c in ones)), (total, *parts), within=within))
        if total[1] not in EVENT_COUNTS:
            for part in parts:
                self._add(Relation((1, -1), (part, total), within=within))

    def _add(self, relation: Relation) -> None:
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

    def broken(self, move: Mapping[Term, int]) -> list[Relation]:
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

MAX_STATES = 48  # sets of keys tried per move shape


def cheapest_move(
    term: Term,
    component: Component,
    relations: Relations,
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
            move = closed_move(tuple((leg, sign * s) for leg, s in legs), key, relations, value)
            if move is None:
                continue
            hidden = [t for t in move if t not in withheld]
            cost = (sum(value(t) for t in hidden), len(hidden))
            if best is None or cost < best[0]:
                best = (cost, move)
            if cost == (0, 0):
                return move
    return None if best is None else best[1]


def closed_move(
    legs: Legs, key: str, relations: Relations, value: Callable[[Term], int]
) -> dict[Term, int] | None:
    """The move shifting, along ``legs``, the smallest set of keys containing ``key`` that
    keeps every relation true and every value ≥ 0 (breadth first); None if there is none."""
    frontier = [frozenset({key})]
    seen = set(frontier)
    while frontier and len(seen) <= MAX_STATES:
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
