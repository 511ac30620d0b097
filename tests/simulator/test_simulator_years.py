"""Consecutive simulated years: youths carried over under their ids, one first reception
and one CIVIS entry and exit at most per youth, the last year at its quotas, earlier years
a little smaller, and each year's truth equal to a recomputation of its events."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from typing import Any

import msgspec
import pytest

from simulator.cohort import event_prefix
from simulator.quotas import Quotas
from simulator.years import YearsSimulation
from tests.simulator.test_simulator_generate import STRUCTURES, assert_truth_is_recomputed

SCALE = 0.002


def run(first: int = 2005, last: int = 2007, seed: int = 3) -> tuple[list[Any], dict[str, Any]]:
    simulation = YearsSimulation(first, last, SCALE, seed, STRUCTURES)
    events = list(simulation.events())
    return events, simulation.truth()


@pytest.fixture(scope="module")
def years() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    return run()


def counted(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events that count: retractions and their targets left out."""
    retracted = {e["retracts"] for e in events if e["type"] == "retraction"}
    return [e for e in events if e["type"] != "retraction" and e["event_id"] not in retracted]


def test_the_truth_has_every_year_each_equal_to_its_recomputation(years: Any) -> None:
    events, truth = years
    assert list(truth["years"]) == ["2005", "2006", "2007"]
    assert truth["events"] == len(events)
    for year, one in truth["years"].items():
        assert_truth_is_recomputed([e for e in events if e["occurred_on"][:4] == year], one)


def test_the_last_year_has_its_quotas_and_earlier_years_fewer(years: Any) -> None:
    _, truth = years
    national = {int(year): one["national"] for year, one in truth["years"].items()}
    assert all(national[2007][k] == v for k, v in Quotas.at(SCALE).figures.items())
    for key in ("youths_in_contact", "interviews", "youths_with_access", "civis_entries"):
        assert national[2005][key] < national[2006][key] < national[2007][key], key
        assert national[2006][key] > 0.85 * national[2007][key]  # a few per cent a year


def test_youths_come_back_under_their_ids_with_one_first_reception(years: Any) -> None:
    events, truth = years
    years_of: dict[str, set[str]] = defaultdict(set)
    for event in counted(events):
        years_of[event["youth_id"]].add(event["occurred_on"][:4])
    back = [youth for youth, seen in years_of.items() if len(seen) > 1]
    assert len(back) > 0.3 * len(years_of) and truth["carried_over"] >= len(back)
    firsts = Counter(e["youth_id"] for e in counted(events) if e["type"] == "first_reception")
    assert max(firsts.values()) == 1
    # A youth first received in 2006 or 2007 was not seen before.
    for event in counted(events):
        if event["type"] == "first_reception":
            assert min(years_of[event["youth_id"]]) == event["occurred_on"][:4]


def test_civis_is_entered_once_and_left_once_never_before_entering(years: Any) -> None:
    events, _ = years
    entries: dict[str, list[str]] = defaultdict(list)
    exits: dict[str, list[str]] = defaultdict(list)
    for event in counted(events):
        if event["type"] == "civis_entry":
            entries[event["youth_id"]].append(event["occurred_on"])
        elif event["type"] == "civis_exit":
            exits[event["youth_id"]].append(event["occurred_on"])
    assert max(map(len, entries.values())) == 1 and max(map(len, exits.values())) == 1
    assert all(exits[y][0] >= entries[y][0] for y in exits if y in entries)
    # Most exits without an entry that year are youths who entered in an earlier one.
    late = [y for y, days in exits.items() if y in entries and days[0][:4] > entries[y][0][:4]]
    assert late


def test_ids_are_unique_and_apart_from_a_single_years(years: Any) -> None:
    events, _ = years
    ids = [e["event_id"] for e in events]
    assert len(ids) == len(set(ids))
    assert all(i.startswith(event_prefix(2005, 2007, 3)) for i in ids)
    assert not any(i.startswith("sim-2007-3-") for i in ids)


def test_the_same_arguments_give_the_same_years() -> None:
    def digest(events: list[dict[str, Any]]) -> str:
        return hashlib.sha256(b"".join(msgspec.json.encode(e) for e in events)).hexdigest()

    assert digest(run(2006, 2007, 5)[0]) == digest(run(2006, 2007, 5)[0])


def test_one_year_or_too_many() -> None:
    _, truth = run(2007, 2007)
    assert list(truth["years"]) == ["2007"] and truth["carried_over"] == 0
    for first, last in ((1950, 2007), (2008, 2007)):
        with pytest.raises(ValueError):
            YearsSimulation(first, last, SCALE, 1, STRUCTURES)
