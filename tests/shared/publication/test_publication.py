"""The public edition (shared/publication/edition.py): what it holds, when it changes, which events
it
lacks, and that what it withholds is the suppression of its own values — which the integer
program of test_confidentiality.py cannot pin, on what is published."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from shared.figures import COUNTED
from shared.profiles import DIMENSIONS, EDUCATION_LEVELS
from shared.publication.components import months, profiles, structures
from shared.publication.confidentiality import Withheld, withhold
from shared.publication.edition import REGION_SCOPES, Published, edition_state, publish
from shared.publication.published_cells import keys_of, published_kind
from shared.publication.published_profiles import column_of
from shared.registry import StructureFields, upsert_structure
from shared.scopes import NATIONAL, Cell, scope_key
from shared.storage.models.publication import PublicEdition, PublishedCell, PublishedProfileCell
from tests.shared.publication.test_confidentiality import World, recoverable
from tests.support.events import STRUCTURES, TYPES, apply_all, event, live_cells, record

K = 5


def spread_events(
    rnd: random.Random, n: int, prefix: str, years: tuple[int, ...] = (2006, 2007)
) -> list[dict[str, Any]]:
    """``n`` events of every type, of about n / 3 youths, on any day of ``years``, at the three
    structures (random_events' few days make whole years of one month: exposed cells, and a
    slow protection)."""
    events = []
    for i in range(n):
        type_, outcome, reason = rnd.choice(TYPES)
        extra = {"outcome": outcome, "exit_reason": reason}
        if type_ == "contact":
            extra["channel"] = "phone"
        day = dt.date(rnd.choice(years), 1, 1) + dt.timedelta(days=rnd.randrange(365))
        youth = f"{prefix}Y{rnd.randrange(max(1, n // 3))}"
        structure = rnd.choice(sorted(STRUCTURES))
        given = {key: value for key, value in extra.items() if value}
        made = event(
            f"{prefix}{i}", type_, youth=youth, structure=structure, on=day.isoformat(), **given
        )
        if type_ == "first_reception" and rnd.random() < 0.8:  # some without a profile
            made["youth"] = {
                "sex": rnd.choice("FM"),
                "birth_year": rnd.randint(1982, 1992),
                "education_level": rnd.choice(EDUCATION_LEVELS[:-1]),
            }
        events.append(made)
    return events


def applied(sessions: sessionmaker[Session], events: list[dict[str, Any]]) -> None:
    """Record ``events`` and apply them, as ingest and the workers do."""
    with sessions.begin() as session:
        record(session, events)
    apply_all(sessions)


def publish_now(sessions: sessionmaker[Session], k: int = K, **options: Any) -> Published | None:
    with sessions.begin() as session:
        return publish(session, k, **options)


def published(sessions: sessionmaker[Session]) -> dict[Cell, tuple[dict[str, int], frozenset[str]]]:
    """Every published cell: its values and its withheld keys."""
    with sessions() as session:
        return {
            (row.period, row.scope): (
                {key: getattr(row, key) for key in COUNTED},
                keys_of(row.withheld),
            )
            for row in session.scalars(select(PublishedCell))
        }


def published_profiles(
    sessions: sessionmaker[Session],
) -> dict[Cell, tuple[dict[str, int], frozenset[str]]]:
    """Every published profile cell, as a profile table's cell: its values and withheld keys."""
    with sessions() as session:
        return {
            (column_of(row.year, row.dimension, row.category), row.scope): (
                {key: getattr(row, key) for key in COUNTED},
                keys_of(row.withheld),
            )
            for row in session.scalars(select(PublishedProfileCell))
        }


def nonzero_values(cells: dict[Cell, tuple[dict[str, int], frozenset[str]]]) -> dict[Cell, Any]:
    return {cell: values for cell, (values, _) in cells.items() if any(values.values())}


def live_published_kinds(sessions: sessionmaker[Session]) -> dict[Cell, Any]:
    return {cell: values for cell, values in live_cells(sessions).items() if published_kind(cell)}


def state(sessions: sessionmaker[Session]) -> Any:
    with sessions() as session:
        return edition_state(session)


def members() -> dict[str, list[Cell]]:
    found: dict[str, list[str]] = {}
    for sid, fields in sorted(STRUCTURES.items()):
        found.setdefault(fields.region, []).append(sid)
    return {
        region: [("", scope_key("structure", sid)) for sid in ids] for region, ids in found.items()
    }


def components_of(values: dict[Cell, dict[str, int]]) -> list[Any]:
    """The components of every year of ``values``, made from those values (as a reader could
    make them from what is published, knowing the exact values)."""
    result = []
    for year in sorted({period[:4] for period, _ in values if "/" not in period}):
        periods = [f"{year}-{m:02d}" for m in range(1, 13)]
        result.append(months(year, periods, REGION_SCOPES, values))
        for dimension, categories in DIMENSIONS.items():
            columns = [column_of(year, dimension, category) for category in categories]
            result.append(profiles(year, columns, REGION_SCOPES, values))
        for region, cells in members().items():
            parts = [(year, scope) for _, scope in cells]
            result.append(structures((year, scope_key("region", region)), parts, values))
    return result


def test_nothing_is_published_with_the_rule_off(
    sessions: sessionmaker[Session], registry: Any
) -> None:
    applied(sessions, [event("a", "interview")])
    assert publish_now(sessions, 0) is None
    assert published(sessions) == {} and state(sessions) is None


def test_the_first_edition_holds_every_live_cell_it_publishes(
    sessions: sessionmaker[Session], registry: Any
) -> None:
    applied(sessions, spread_events(random.Random(1), 150, "a"))
    edition = publish_now(sessions)
    assert edition is not None and edition.edition == 1
    assert nonzero_values(published(sessions)) == live_published_kinds(sessions)
    current = state(sessions)
    assert (current.edition, current.min_count, current.pending_events) == (1, K, 0)
    assert current.published_at == edition.published_at


def test_an_edition_changes_only_at_its_publication(
    sessions: sessionmaker[Session], registry: Any
) -> None:
    applied(sessions, [event(f"a{n}", "interview", youth=f"A{n}") for n in range(6)])
    publish_now(sessions)
    first = published(sessions)
    applied(sessions, [event(f"b{n}", "interview", youth=f"B{n}") for n in range(3)])
    assert published(sessions) == first  # the live counters moved, the edition did not
    assert live_published_kinds(sessions) != nonzero_values(first)
    publish_now(sessions)
    assert nonzero_values(published(sessions)) == live_published_kinds(sessions)
    assert state(sessions).edition == 2


def test_pending_events_are_the_events_not_in_the_edition(
    sessions: sessionmaker[Session], registry: Any
) -> None:
    with sessions.begin() as session:
        record(session, [event(f"a{n}", "interview", youth=f"A{n}") for n in range(3)])
    assert publish_now(sessions) is not None  # the first edition: nothing applied yet
    assert state(sessions).pending_events == 3  # recorded, not applied
    apply_all(sessions)
    assert state(sessions).pending_events == 3  # applied, not published
    with sessions.begin() as session:
        record(session, [event("b0", "contact", youth="B0", channel="phone")])
    assert state(sessions).pending_events == 4
    publish_now(sessions)
    assert state(sessions).pending_events == 1  # b0, recorded since
    apply_all(sessions)
    publish_now(sessions)
    assert state(sessions).pending_events == 0


def test_nothing_changed_nothing_published_and_the_pace_is_kept(
    sessions: sessionmaker[Session], registry: Any
) -> None:
    applied(sessions, [event("a", "interview")])
    assert publish_now(sessions) is not None
    assert publish_now(sessions) is None  # the same cells, no batch applied since
    applied(sessions, [event("b", "interview", youth="B")])
    assert publish_now(sessions, pace=3600) is None  # due in an hour
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    assert publish_now(sessions, pace=3600, now=later) is not None


def test_a_batch_that_changes_no_cell_still_enters_the_next_edition(
    sessions: sessionmaker[Session], registry: Any
) -> None:
    applied(sessions, [event("a", "contact", youth="A", channel="phone")])
    publish_now(sessions)
    with sessions.begin() as session:  # the same youth, the same day: no figure moves
        record(session, [event("a2", "contact", youth="A", channel="visit")])
    apply_all(sessions)
    assert state(sessions).pending_events == 1
    done = publish_now(sessions)
    assert done is not None and done.cells == 0 and done.components == 0
    assert state(sessions).pending_events == 0


def test_only_the_components_of_the_changed_cells_are_protected_anew(
    sessions: sessionmaker[Session], registry: Any
) -> None:
    applied(sessions, spread_events(random.Random(2), 150, "a"))
    first = publish_now(sessions)
    assert first is not None
    # 2006 and 2007: their months, the structures of regions 11 and 24, three profile tables.
    assert first.components == 2 * 6
    applied(sessions, [event("late", "interview", on="2007-09-03", structure="PAIO-24-001")])
    second = publish_now(sessions)
    assert second is not None
    # 2007's months, Centre's structures in 2007, and 2007's profile tables (their totals moved)
    assert second.components == 5
    rows = published_rows_editions(sessions)
    assert rows[("2007", "structure:PAIO-24-001")] == second.edition
    assert rows[("2006", "national")] == first.edition  # untouched, not rewritten
    assert second.cells < first.cells


def published_rows_editions(sessions: sessionmaker[Session]) -> dict[Cell, int]:
    with sessions() as session:
        return {(r.period, r.scope): r.edition for r in session.scalars(select(PublishedCell))}


def test_a_new_threshold_or_registry_protects_everything_anew(
    sessions: sessionmaker[Session], registry: Any
) -> None:
    applied(sessions, spread_events(random.Random(3), 150, "a"))
    publish_now(sessions)
    again = publish_now(sessions, 3)
    assert again is not None and again.components == 12  # every component, at 3
    assert state(sessions).min_count == 3
    with sessions.begin() as session:
        fields = StructureFields(name="PAIO de Chartres", kind="paio", region="11")
        upsert_structure(session, "PAIO-24-001", fields)  # it moves to Île-de-France
    moved = publish_now(sessions, 3)
    # The structures of every year, all in Île-de-France now (Centre has none left).
    assert moved is not None and moved.components == 2


def check_edition(sessions: sessionmaker[Session], k: int) -> tuple[int, int]:
    """The edition's withheld keys are the suppression of its own values, and none of them can
    be worked back from what it publishes (the integer program), outside ``exposed``. Returns
    (withheld values, of which non-zero)."""
    rows = {**published(sessions), **published_profiles(sessions)}
    values = {cell: counted for cell, (counted, _) in rows.items()}
    withheld_count = nonzero = 0
    for component in components_of(values):
        result = withhold(component, k)
        for cell in component.protected:
            assert rows.get(cell, ({}, frozenset()))[1] == result.keys(cell), cell
            withheld_count += len(result.keys(cell))
            nonzero += sum(1 for key in result.keys(cell) if values.get(cell, {}).get(key))
        world = world_of(component, values)
        recovered = recoverable(world, Withheld(result.below, result.protecting, result.exposed))
        assert recovered <= result.exposed, recovered - result.exposed
    return withheld_count, nonzero


def world_of(component: Any, values: dict[Cell, dict[str, int]]) -> World:
    groups = [(group.total, list(group.parts)) for group in component.groups]
    return World(values, sorted(component.protected), groups, component)


# Seeds whose data the integer program reads in seconds: where a value is exposed, its key is
# withheld across its row and column and the program grows to minutes (test_confidentiality.py
# explores the rule itself on many more cases). k = 2 + seed % 4: thresholds 2, 4 and 5. Seed 1
# (k = 3) took 170 s once the profile tables were checked too; seeds 3-6 longer.
@pytest.mark.parametrize("seed", [0, 2, 7])
def test_an_edition_withholds_the_suppression_of_its_own_values(
    sessions: sessionmaker[Session], registry: Any, seed: int
) -> None:
    events = spread_events(random.Random(seed), 90, "s", years=(2007,))
    applied(sessions, events[:60])
    k = 2 + seed % 4
    publish_now(sessions, k)
    # Newer values in the live counters: the edition is still its own snapshot's.
    applied(sessions, events[60:])
    assert live_published_kinds(sessions) != nonzero_values(published(sessions))
    before = check_edition(sessions, k)
    publish_now(sessions, k)
    assert nonzero_values(published(sessions)) == live_published_kinds(sessions)
    after = check_edition(sessions, k)
    # Not an empty check: values are withheld, some of them not zero (secondary ones).
    assert before[1] > 0 and after[1] > 0


def test_the_national_months_are_in_the_edition(
    sessions: sessionmaker[Session], registry: Any
) -> None:
    applied(sessions, [event("a", "interview", on="2007-03-15")])
    publish_now(sessions)
    rows = published(sessions)
    values, keys = rows[("2007-03", NATIONAL)]
    assert values["interviews"] == 1 and "youths_interviewed" in keys
    assert rows[("2007", NATIONAL)][1] == frozenset()  # a year total: always published
    with sessions() as session:
        profile_rows = len(session.scalars(select(PublishedProfileCell)).all())
        assert session.scalar(select(PublicEdition.cells)) == len(rows) + profile_rows
    # The year's profile tables: its one youth's categories, all unknown (no first reception).
    profiles_of = published_profiles(sessions)
    cell = (column_of(2007, "sex", "unknown"), NATIONAL)
    assert profiles_of[cell][0]["interviews"] == 1
    assert "youths_interviewed" in profiles_of[cell][1]
    # Every category of every dimension, nationally and in each region (zeros included).
    assert profile_rows == 15 * (1 + len(REGION_SCOPES))
