"""Statistical confidentiality: no withheld value can be worked back from what is published.

The reader here is stronger than the rule's own audit: an integer linear program
(scipy's HiGHS) over every relation that holds between the published cells, which
finds the least and the greatest value each withheld value can take. The relations are
derived here, apart from shared/publication/confidentiality.py: the within-cell ones from the
figures' definition itself (``youth_figures`` over every combination of facts), the
ones between cells from how cells are made of youths (a total's youths are its parts'),
each kept where it holds on the data — a sum where the parts happen to be disjoint.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from shared.figures import COUNTED, FACT_INDEX, FACTS, youth_figures
from shared.publication.components import Component, months, profiles, structures
from shared.publication.confidentiality import DISTINCT, Withheld, to_date_withheld, withhold
from shared.publication.published_profiles import column_of
from shared.scopes import NATIONAL, Cell

_INDEX = {key: i for i, key in enumerate(COUNTED)}
_INTERVIEW = FACT_INDEX["interview"]


def _figure_table() -> list[tuple[int, ...]]:
    """A youth's figures for every set of facts (one interview for the interview fact)."""
    return [youth_figures([(mask >> i) & 1 for i in range(len(FACTS))]) for mask in range(1 << 13)]


_TABLE = _figure_table()
# a ≤ b for every youth: a's youths are among b's, in any cell.
SUBSETS = [
    (a, b)
    for a, b in itertools.permutations(DISTINCT, 2)
    if all(row[_INDEX[a]] <= row[_INDEX[b]] for row in _TABLE)
]
# a is exactly "any of" the counts below it: its youths are their union.
UNIONS = {}
for _whole in DISTINCT:
    _parts = [a for a, b in SUBSETS if b == _whole]
    if _parts and all(row[_INDEX[_whole]] == max(row[_INDEX[p]] for p in _parts) for row in _TABLE):
        UNIONS[_whole] = _parts


# Between cells: a total's facts are its parts' facts together. A count is *monotone* when
# a part never counts more than its total, *subadditive* when a total never counts more
# than its parts together; facts pairs of up to three facts each show every conjunction.
_SMALL = [m for m in range(1 << 13) if bin(m).count("1") <= 3]
MONOTONE = {
    key
    for key in DISTINCT
    if all(_TABLE[a | b][_INDEX[key]] >= _TABLE[a][_INDEX[key]] for a in _SMALL for b in _SMALL)
}
SUBADDITIVE = {
    key
    for key in DISTINCT
    if all(
        _TABLE[a | b][_INDEX[key]] <= _TABLE[a][_INDEX[key]] + _TABLE[b][_INDEX[key]]
        for a in _SMALL
        for b in _SMALL
    )
}


def test_the_relations_derived_from_the_definitions_are_the_expected_ones() -> None:
    assert set(DISTINCT) == MONOTONE
    # Interviewed at one structure, an outcome at another: counted by their region only.
    assert set(DISTINCT) - SUBADDITIVE == {
        "youths_with_access",
        "youths_employment",
        "youths_subsidized_or_work_study",
        "youths_training",
    }
    assert UNIONS == {
        "youths_with_access": [
            "youths_employment",
            "youths_subsidized_or_work_study",
            "youths_training",
        ],
        "civis_exits": [
            "civis_exits_durable_employment",
            "civis_exits_non_durable_employment",
            "civis_exits_training",
            "civis_exits_other",
        ],
    }
    assert ("youths_interviewed", "youths_received") in SUBSETS
    assert ("youths_training", "youths_interviewed") in SUBSETS


@dataclass
class World:
    """Cells of youths, named as figure_counts names them, and how totals gather parts: a
    region's structures (one row of parts), or a year's months (regions × months, the
    national months as column totals)."""

    values: dict[Cell, dict[str, int]]
    protected: list[Cell]
    groups: list[tuple[Cell, list[Cell]]]
    component: Component
    youths: Sequence[dict[tuple[int, int], list[int]]] = ()
    shape: tuple[int, int] = (0, 0)  # rows, columns


def build_world(
    youths: Sequence[dict[tuple[int, int], list[int]]],
    rows: int,
    cols: int,
    table: bool,
    profile: bool = False,
) -> World:
    """``youths``: each one's facts per leaf (row, column). ``table``: the months of a year
    (``rows`` regions × ``cols`` months), or with ``profile`` a profile table of the year
    (``rows`` regions × ``cols`` categories of a dimension: each youth's leaves in one column);
    else the ``cols`` structures of one region."""
    columns = [
        column_of(2007, "age", f"c{c}") if profile else f"2007-{c + 1:02d}" for c in range(cols)
    ]

    def leaf(r: int, c: int) -> Cell:
        return (columns[c], f"region:{r}") if table else ("2007", f"structure:S{c}")

    def row_total(r: int) -> Cell:
        return ("2007", f"region:{r}")

    leaves = {(r, c): leaf(r, c) for r in range(rows) for c in range(cols)}
    gathered: dict[Cell, list[tuple[int, int]]] = {cell: [rc] for rc, cell in leaves.items()}
    for r in range(rows):
        gathered[row_total(r)] = [(r, c) for c in range(cols)]
    if table:
        for c in range(cols):
            gathered[(columns[c], NATIONAL)] = [(r, c) for r in range(rows)]
        gathered[("2007", NATIONAL)] = list(leaves)
    values = {cell: gathered_values(youths, sources) for cell, sources in gathered.items()}

    groups = [(row_total(r), [leaves[(r, c)] for c in range(cols)]) for r in range(rows)]
    protected = list(leaves.values())
    if table:
        national = [(columns[c], NATIONAL) for c in range(cols)]
        groups.append((("2007", NATIONAL), national))
        groups += [(national[c], [leaves[(r, c)] for r in range(rows)]) for c in range(cols)]
        protected += national
        make = profiles if profile else months
        component = make("2007", columns, [f"region:{r}" for r in range(rows)], values)
    else:
        component = structures(row_total(0), protected, values)
    assert set(component.protected) == set(protected)  # the module sees the same cells
    return World(values, protected, groups, component, youths, (rows, cols))


def gathered_values(
    youths: Sequence[dict[tuple[int, int], list[int]]], sources: Sequence[tuple[int, int]]
) -> dict[str, int]:
    """The figures of a cell made of these leaves, from its youths' facts."""
    totals = [0] * len(COUNTED)
    for youth in youths:
        facts = [0] * len(FACTS)
        for rc in sources:
            for i, count in enumerate(youth.get(rc, ())):
                facts[i] += count
        if any(facts):
            totals = [t + v for t, v in zip(totals, youth_figures(facts), strict=True)]
    return dict(zip(COUNTED, totals, strict=True))


def value_of(world: World, term: tuple[Cell, str]) -> int:
    return world.values.get(term[0], {}).get(term[1], 0)


def reader_relations(world: World) -> list[tuple[dict[tuple[Cell, str], int], str]]:
    """Every linear relation that holds, as ({term: coefficient}, "==" or "<=") against 0."""
    relations: list[tuple[dict[tuple[Cell, str], int], str]] = []

    def gathered(
        total: tuple[Cell, str], parts: list[tuple[Cell, str]], monotone: bool, subadditive: bool
    ) -> None:
        if value_of(world, total) == sum(value_of(world, p) for p in parts):
            relations.append(({total: -1, **dict.fromkeys(parts, 1)}, "=="))
        if subadditive:
            relations.append(({total: 1, **dict.fromkeys(parts, -1)}, "<="))
        if monotone:
            relations.extend(({part: 1, total: -1}, "<=") for part in parts)

    for total, members in world.groups:
        for key in COUNTED:
            parts = [(part, key) for part in members]
            gathered((total, key), parts, key in MONOTONE, key in SUBADDITIVE)
    for cell in world.protected:
        for a, b in SUBSETS:
            relations.append(({(cell, a): 1, (cell, b): -1}, "<="))
        for whole, parts in UNIONS.items():
            gathered((cell, whole), [(cell, part) for part in parts], True, True)
        relations.append(({(cell, "youths_interviewed"): 1, (cell, "interviews"): -1}, "<="))
        # No interview without an interviewed youth: interviews <= big × interviewed.
        big = bound_of(world)
        relations.append(({(cell, "interviews"): 1, (cell, "youths_interviewed"): -big}, "<="))
    return relations


def bound_of(world: World) -> int:
    """More than any value can be: the largest value of any cell (interviews included)."""
    return 1 + max((v for values in world.values.values() for v in values.values()), default=0)


Relation = tuple[dict[tuple[Cell, str], int], str]


def recoverable(
    world: World,
    withheld: Withheld,
    also_unknown: frozenset[tuple[Cell, str]] = frozenset(),
    also_known: Sequence[Relation] = (),
) -> set[tuple[Cell, str]]:
    """The withheld values (and ``also_unknown``: other unpublished terms) the integer program
    pins to one value, given ``also_known`` besides the relations between the world's cells."""
    unknown = sorted(
        {
            (cell, key)
            for part in (withheld.below, withheld.protecting)
            for cell, keys in part.items()
            for key in keys
        }
        | also_unknown,
        key=repr,
    )
    if not unknown:
        return set()
    column = {term: i for i, term in enumerate(unknown)}
    rows, lower, upper = [], [], []
    for coefficients, sense in [*reader_relations(world), *also_known]:
        row = np.zeros(len(unknown))
        constant = 0
        for term, c in coefficients.items():
            if term in column:
                row[column[term]] += c
            else:
                constant += c * value_of(world, term)
        if not row.any():
            assert (constant == 0) if sense == "==" else constant <= 0  # it does hold
            continue
        rows.append(row)
        lower.append(-constant if sense == "==" else -np.inf)
        upper.append(-constant)
    truth = np.array([value_of(world, term) for term in unknown], dtype=float)
    if not rows:
        return set()  # nothing relates them: any value fits each
    matrix = np.array(rows)
    # The data fits every relation: else one above is wrong, whatever the solver says.
    assert (matrix @ truth <= np.array(upper)).all() and (matrix @ truth >= np.array(lower)).all()
    constraints = LinearConstraint(matrix, lower, upper)
    bounds = Bounds(0, bound_of(world))
    integrality = np.ones(len(unknown))

    def solve(objective: np.ndarray) -> np.ndarray:
        # HiGHS's presolve calls some of these small feasible programs infeasible (the data
        # satisfies every row, as checked above): solved without it.
        result = milp(
            objective,
            integrality=integrality,
            bounds=bounds,
            constraints=constraints,
            options={"presolve": False},
        )
        assert result.success, result.message
        return np.round(result.x)

    free = np.zeros(len(unknown), dtype=bool)
    rng = random.Random(0)
    # A few solutions far from each other show most values free at once.
    for _ in range(4):
        objective = np.array([rng.choice((-1.0, 1.0)) for _ in unknown])
        free |= solve(objective) != truth
    for i in range(len(unknown)):
        if free[i]:
            continue
        for sign in (1.0, -1.0):
            objective = np.zeros(len(unknown))
            objective[i] = sign
            free |= solve(objective) != truth
            if free[i]:
                break
    return {term for term, is_free in zip(unknown, free, strict=True) if not is_free}


FACTS_OF_ONE = st.lists(st.sampled_from(range(len(FACTS))), max_size=5).map(
    lambda picked: [1 if i in picked else 0 for i in range(len(FACTS))]
)


@st.composite
def worlds(draw: Any, table: bool, profile: bool = False) -> tuple[World, int]:
    rows = draw(st.integers(2, 3)) if table else 1
    cols = draw(st.integers(2, 4))
    leaves = [(r, c) for r in range(rows) for c in range(cols)]
    youths = []
    for _ in range(draw(st.integers(1, 14))):
        youth: dict[tuple[int, int], list[int]] = {}
        if profile:  # a youth is in one category of the dimension, in every scope
            category = draw(st.integers(0, cols - 1))
            leaves = [(r, category) for r in range(rows)]
        for place in draw(st.lists(st.sampled_from(leaves), min_size=1, max_size=2, unique=True)):
            facts = draw(FACTS_OF_ONE)
            facts[FACT_INDEX["contact"]] = 1
            if facts[_INTERVIEW]:
                facts[_INTERVIEW] = draw(st.integers(1, 3))
            youth[place] = facts
        youths.append(youth)
    return build_world(youths, rows, cols, table, profile), draw(st.integers(2, 5))


def check(world: World, min_count: int) -> Withheld:
    withheld = withhold(world.component, min_count)
    for cell in world.protected:
        below = withheld.below.get(cell, frozenset())
        shown = set(DISTINCT) - withheld.keys(cell)
        for key in DISTINCT:
            v = value_of(world, (cell, key))
            assert (key in below) == (0 < v < min_count)
            if key in shown:
                assert v == 0 or v >= min_count
    recovered = recoverable(world, withheld)
    assert recovered <= withheld.exposed, recovered - withheld.exposed
    return withheld


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(worlds(table=False))
def test_no_structure_value_can_be_worked_back_from_its_region(case: tuple[World, int]) -> None:
    world, min_count = case
    check(world, min_count)


@SETTINGS
@given(worlds(table=True))
def test_no_month_value_can_be_worked_back_from_years_and_national_months(
    case: tuple[World, int],
) -> None:
    world, min_count = case
    check(world, min_count)


@SETTINGS
@given(worlds(table=True, profile=True))
def test_no_profile_value_can_be_worked_back_from_years_and_national_categories(
    case: tuple[World, int],
) -> None:
    # A dimension's categories partition every scope's youths (SPEC §4.2): each row adds up
    # to its scope's published year cell in every key, and the national row gathers the
    # regions'. The reader's relations find those sums on the data.
    world, min_count = case
    check(world, min_count)


def test_a_small_category_gets_a_companion_in_its_row_and_column() -> None:
    # One youth aged c0 in region 0, the others c1: published, region 0's year minus its
    # c1 cell, or the nation's c0 minus region 1's, would give the one back.
    youths = [{(0, 0): facts_of("first_reception")}]
    youths += [{(r, 1): facts_of("first_reception")} for r in (0, 1) for _ in range(6)]
    youths += [{(1, 0): facts_of("first_reception")} for _ in range(6)]
    world = build_world(youths, 2, 2, table=True, profile=True)
    withheld = check(world, 5)
    small = (column_of(2007, "age", "c0"), "region:0")
    assert "youths_first_reception" in withheld.below[small]
    companions = {
        cell for cell, keys in withheld.protecting.items() if "youths_first_reception" in keys
    }
    assert len(companions) >= 3  # the rest of its row, of its column, and their crossing


def facts_of(*names: str) -> list[int]:
    facts = [0] * len(FACTS)
    for name in ("contact", *names):
        facts[FACT_INDEX[name]] = 1
    return facts


def test_a_lone_small_structure_gets_a_companion() -> None:
    # One youth exits CIVIS for training at S0, none at S1: published, the region's 1
    # minus S1's 0 would give S0's 1 back.
    youths = [{(0, 0): facts_of("civis_exit_training")}]
    youths += [{(0, 1): facts_of()} for _ in range(6)] + [{(0, 0): facts_of()} for _ in range(6)]
    world = build_world(youths, 1, 2, table=False)
    withheld = check(world, 5)
    s0, s1 = ("2007", "structure:S0"), ("2007", "structure:S1")
    assert "civis_exits_training" in withheld.below[s0]
    assert "civis_exits_training" in withheld.protecting[s1]
    assert withheld.exposed == frozenset()


def test_a_region_of_one_structure_is_exposed_not_hidden() -> None:
    world = build_world([{(0, 0): facts_of("first_reception")}], 1, 1, table=False)
    withheld = check(world, 5)
    assert ((("2007", "structure:S0"), "youths_first_reception")) in withheld.exposed


def test_nothing_is_withheld_when_the_threshold_is_zero() -> None:
    world = build_world([{(0, 0): facts_of()}], 1, 2, table=False)
    assert withhold(world.component, 0).keys(("2007", "structure:S0")) == frozenset()


@pytest.mark.parametrize("table", [False, True])
def test_the_rate_and_the_interviews_go_with_the_interviewed(table: bool) -> None:
    world = build_world([{(0, 0): facts_of("interview")}] * 2, 1 + table, 2, table)
    withheld = check(world, 5)
    cell = world.protected[0]
    assert {"youths_interviewed", "interviews", "access_rate"} <= withheld.keys(cell)


def test_the_years_to_date_withhold_the_counts_under_a_withheld_one() -> None:
    # youths_with_access can count in a year to date and in no month (an interview in January,
    # a job in February): published, with the year above, it would pin the youths interviewed.
    hidden = to_date_withheld([frozenset({"youths_interviewed"}), frozenset()])
    access = {"youths_with_access", "youths_employment", "youths_subsidized_or_work_study"}
    assert access | {"youths_training", "interviews", "access_rate"} <= hidden
    assert not hidden & {"youths_in_contact", "youths_received", "civis_exits"}
    assert to_date_withheld([frozenset({"civis_exits_other"})]) == {"civis_exits_other"}


def to_date_cells(world: World) -> tuple[list[Cell], list[Relation]]:
    """The years to date of a months world (January to each month but the last), nationally
    and for each region, added to ``world.values`` from their months' youths; and every
    relation they have with the months, the year and each other, derived as above: a to-date
    cell gathers its row's months up to it, the nation's gathers the regions', and none
    counts more than the next one or the year (for the monotone counts)."""
    rows, cols = world.shape
    scopes = [NATIONAL, *(f"region:{r}" for r in range(rows))]
    cells: list[Cell] = []
    groups: list[tuple[Cell, list[Cell]]] = []
    for through in range(1, cols):
        period = f"2007-01/{through:02d}"
        for scope in scopes:
            regions = range(rows) if scope == NATIONAL else [int(scope.partition(":")[2])]
            sources = [(r, c) for r in regions for c in range(through)]
            world.values[(period, scope)] = gathered_values(world.youths, sources)
            cells.append((period, scope))
            groups.append(((period, scope), [(f"2007-{c + 1:02d}", scope) for c in range(through)]))
        groups.append(((period, NATIONAL), [(period, f"region:{r}") for r in range(rows)]))
    relations = reader_relations(World(world.values, cells, groups, world.component))
    for scope in scopes:
        chain = [(f"2007-01/{t:02d}", scope) for t in range(1, cols)] + [("2007", scope)]
        for smaller, larger in itertools.pairwise(chain):
            relations += [({(smaller, k): 1, (larger, k): -1}, "<=") for k in MONOTONE]
    return cells, relations


@SETTINGS
@given(worlds(table=True))
def test_the_years_to_date_published_give_no_withheld_value_back(
    case: tuple[World, int],
) -> None:
    # The edition's rule (shared/publication/confidentiality.py to_date_withheld): a key of
    # the years to date is published, in every scope, when no month of the year withholds it.
    # With them among the relations a reader knows, no withheld value is pinned either.
    world, min_count = case
    withheld = withhold(world.component, min_count)
    cells, relations = to_date_cells(world)
    hidden = to_date_withheld(withheld.keys(cell) for cell in world.protected)
    unknown = frozenset((cell, key) for cell in cells for key in COUNTED if key in hidden)
    recovered = recoverable(world, withheld, unknown, relations)
    # The reader knows the relations of the years to date even unpublished (which sums hold,
    # at worst): what their publication adds is what he pins with them published and not
    # without. No withheld month's value among it, and no year to date of fewer than k youths.
    none_published = frozenset((cell, key) for cell in cells for key in COUNTED)
    added = recovered - recoverable(world, withheld, none_published, relations)
    months_pinned = {term for term in added if term not in none_published}
    assert months_pinned <= withheld.exposed, months_pinned - withheld.exposed
    small = {
        term
        for term in added & none_published
        if term[1] in DISTINCT and 0 < value_of(world, term) < min_count
    }
    assert not small, small
