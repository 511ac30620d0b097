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
   constants): each component is protected on its own. So is each dimension's profile table
   of a year (its categories nationally and in each region, SPEC §4.2): its rows add up to
   the year cells in every key (a dimension partitions the youths), its national row gathers
   the regions', and no published relation crosses two dimensions or a dimension and the
   months (no cross-tabulation is published); a structure's profile cells are not published.

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

The components (point 4) are built in shared/publication/components.py, the relations of
points 1–3 and the search for moves in shared/publication/moves.py; this module applies the
threshold and the rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from shared.figures import COUNTED, EVENT_COUNTS
from shared.publication.components import Component, Term
from shared.publication.moves import PART_OF, Relations, cheapest_move
from shared.scopes import Cell

# The counts of distinct youths, which the threshold applies to.
DISTINCT: tuple[str, ...] = tuple(key for key in COUNTED if key not in EVENT_COUNTS)


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
    relations = Relations(component, value)
    certified: set[Term] = set()
    exposed: set[Term] = set()
    pending = sorted(withheld, key=repr)
    while pending:
        term = pending.pop(0)
        if term in certified or term in exposed:
            continue
        move = cheapest_move(term, component, relations, withheld, value)
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


def to_date_withheld(month_keys: Iterable[frozenset[str]]) -> frozenset[str]:
    """The keys withheld from every year to date of a year (nationally and in each region),
    given the keys withheld from each of that year's month cells (``month_keys``): a key
    withheld in any month, and what goes with it (``access_rate`` with either term,
    ``interviews`` with ``youths_interviewed``), and every count whose youths are among a
    withheld key's.

    A year to date gathers its scope's months up to one and no more than the year, and the
    nation's gathers the regions' (sums where they hold on the data, bounds elsewhere): with
    a key published in every month, those relations give nothing on that key that the months
    and the year do not; with a key withheld in one month of one scope, the same relations
    across the scopes of every month could pin it (the integer-programming test found such
    cases when only the scope's own months were asked to be clear)."""
    keys: set[str] = set()
    for withheld in month_keys:
        keys |= withheld
    # And every count whose youths are among a withheld key's (youths_with_access under
    # youths_interviewed, say): published, it would bound the withheld one from below. The
    # months' moves do not always carry it — an interview in January and a job in February
    # count in the year to date and in no month — so with the year above, a reader could pin
    # the withheld value (the integer-programming test found it).
    keys |= {key for key in PART_OF if _within(key, keys)}
    if "youths_interviewed" in keys:
        keys.add("interviews")
    if keys & {"youths_with_access", "youths_interviewed"}:
        keys.add("access_rate")
    return frozenset(keys)


def _within(key: str, keys: set[str]) -> bool:
    """Whether ``key``'s youths are among those of one of ``keys`` (PART_OF, transitively)."""
    while key in PART_OF:
        key = PART_OF[key]
        if key in keys:
            return True
    return False


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
