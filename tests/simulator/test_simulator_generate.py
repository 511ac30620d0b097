"""The year simulator: exact 2007 quotas, a truth equal to a recomputation, valid events."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from types import SimpleNamespace
from typing import Any

import msgspec
import pytest

from shared.events import decode_event
from shared.figures import COUNTED, FIGURE_KEYS
from shared.pipeline.recompute import recompute_cells
from shared.scopes import NATIONAL, scope_key
from simulator.generate import YearSimulation
from simulator.quotas import KEY_FIGURES_2007, Quotas, ScaleTooSmall
from simulator.registry import demo_structures

SCALE = 0.002
STRUCTURES = demo_structures()
REGION_OF = {sid: fields.region for sid, fields in STRUCTURES}
REASON_KEYS = [k for k in COUNTED if k.startswith("civis_exits_")]


def run(
    year: int = 2007,
    scale: float = SCALE,
    seed: int = 7,
    until: dt.date | None = None,
    structures: Any = STRUCTURES,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    simulation = YearSimulation(year, scale, seed, structures, until=until)
    events = list(simulation.events())
    return events, simulation.truth()


@pytest.fixture(scope="module")
def year() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    return run()


def records(events: list[dict[str, Any]]) -> list[SimpleNamespace]:
    return [
        SimpleNamespace(
            event_id=e["event_id"],
            type=e["type"],
            occurred_on=dt.date.fromisoformat(e["occurred_on"]),
            structure_id=e["structure_id"],
            region=REGION_OF[e["structure_id"]],
            youth_id=e["youth_id"],
            outcome=e.get("outcome"),
            exit_reason=e.get("exit_reason"),
            retracts=e.get("retracts"),
        )
        for e in events
    ]


def assert_truth_is_recomputed(events: list[dict[str, Any]], truth: dict[str, Any]) -> None:
    cells = recompute_cells(records(events))
    period = str(truth["year"])
    zeros = dict.fromkeys(COUNTED, 0)

    def counted(figures: dict[str, Any]) -> dict[str, int]:
        assert list(figures) == list(FIGURE_KEYS)
        return {key: figures[key] for key in COUNTED}

    assert counted(truth["national"]) == cells.get((period, NATIONAL), zeros)
    assert set(truth["regions"]) == {fields.region for _, fields in STRUCTURES}
    for code, figures in truth["regions"].items():
        assert counted(figures) == cells.get((period, scope_key("region", code)), zeros), code
    assert set(truth["structures"]) == set(REGION_OF)
    for sid, figures in truth["structures"].items():
        assert counted(figures) == cells.get((period, scope_key("structure", sid)), zeros), sid
    assert truth["events"] == len(events)


def test_national_figures_are_the_2007_figures_at_the_scale(year: Any) -> None:
    _, truth = year
    national = truth["national"]
    for key, value in KEY_FIGURES_2007.items():
        if key in REASON_KEYS:
            # One exit per exiting youth: the reasons apportion the rounded exits.
            assert abs(national[key] - value * SCALE) < 1, key
        else:
            assert national[key] == round(value * SCALE), key
    assert sum(national[key] for key in REASON_KEYS) == national["civis_exits"]
    assert (
        national["access_rate"] == national["youths_with_access"] / national["youths_interviewed"]
    )
    assert (truth["year"], truth["scale"], truth["seed"]) == (2007, SCALE, 7)


@pytest.mark.parametrize("scale", [0.001, 0.0123, 0.05, 0.3, 1.0])
def test_quotas_are_exact_at_any_usable_scale(scale: float) -> None:
    quotas = Quotas.at(scale)
    for key, value in KEY_FIGURES_2007.items():
        if key not in REASON_KEYS:
            assert quotas.figures[key] == round(value * scale)
    assert sum(quotas.figures[key] for key in REASON_KEYS) == quotas.figures["civis_exits"]


def test_every_scale_from_a_ten_thousandth_up_is_feasible() -> None:
    for step in range(1, 10_001):
        Quotas.at(step / 10_000)
    for scale in (0.0000013, 0, -1):  # a youth or two cannot hold the proportions
        with pytest.raises(ScaleTooSmall):
            Quotas.at(scale)


def test_exact_quotas_while_streaming_at_another_scale_and_seed() -> None:
    _, truth = run(scale=0.0123, seed=99)
    for key in COUNTED:
        if key not in REASON_KEYS:
            assert truth["national"][key] == round(KEY_FIGURES_2007[key] * 0.0123), key


def test_truth_equals_a_recomputation_for_every_scope(year: Any) -> None:
    events, truth = year
    assert_truth_is_recomputed(events, truth)


def test_deterministic_by_seed() -> None:
    def digest(events: list[dict[str, Any]]) -> str:
        return hashlib.sha256(msgspec.json.encode(events)).hexdigest()

    first, truth = run(scale=0.001, seed=3)
    again, truth_again = run(scale=0.001, seed=3)
    other, _ = run(scale=0.001, seed=4)
    assert digest(first) == digest(again) and truth == truth_again
    assert digest(first) != digest(other)
    assert {e["youth_id"] for e in first}.isdisjoint({e["youth_id"] for e in other})
    assert {e["event_id"] for e in first}.isdisjoint({e["event_id"] for e in other})


def test_ids_are_unique_and_every_event_is_valid(year: Any) -> None:
    events, _ = year
    ids = [e["event_id"] for e in events]
    assert len(set(ids)) == len(ids)
    encoder = msgspec.json.Encoder()
    for event in events:
        decoded = decode_event(encoder.encode(event))
        assert decoded.event_id == event["event_id"]
        assert event["structure_id"] in REGION_OF
        assert event["occurred_on"].startswith("2007-")
    firsts = [e for e in events if e["type"] == "first_reception"]
    profiles = [e["youth"] for e in firsts if "youth" in e]
    # Some first receptions carry no profile, some a partial one (simulator/profiles.py).
    assert 0 < len(firsts) - len(profiles) < 0.1 * len(firsts)
    whole = [p for p in profiles if set(p) == {"sex", "birth_year", "education_level"}]
    partial = [p for p in profiles if set(p) == {"sex", "education_level"}]
    assert len(whole) + len(partial) == len(profiles) and partial
    assert {p["birth_year"] for p in whole} <= set(range(1982, 1992))
    assert all(e.get("channel") for e in events if e["type"] == "contact")


def test_about_six_and_a_half_million_events_at_full_scale(year: Any) -> None:
    events, _ = year
    assert abs(len(events) - 6_500_000 * SCALE) < 0.05 * 6_500_000 * SCALE
    types = Counter(e["type"] for e in events)
    assert set(types) == {
        "first_reception",
        "contact",
        "interview",
        "workshop",
        "outcome",
        "civis_entry",
        "civis_exit",
        "retraction",
    }


def test_youths_move_several_outcomes_and_definitions_are_exercised(year: Any) -> None:
    events, truth = year
    retracted = {e["retracts"] for e in events if e["type"] == "retraction"}
    by_youth: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in events:
        if e["type"] != "retraction" and e["event_id"] not in retracted:
            by_youth[e["youth_id"]].append(e)
    youths = len(by_youth)
    assert youths == truth["national"]["youths_in_contact"]

    structures = {y: {e["structure_id"] for e in evs} for y, evs in by_youth.items()}
    movers = [y for y, s in structures.items() if len(s) > 1]
    assert 0.06 < len(movers) / youths < 0.10
    other_region = [y for y in movers if len({REGION_OF[s] for s in structures[y]}) > 1]
    assert 0 < len(other_region) < len(movers) / 2

    types = {y: {e["type"] for e in evs} for y, evs in by_youth.items()}
    kinds = {
        y: {e["outcome"] for e in evs if e["type"] == "outcome"} for y, evs in by_youth.items()
    }
    assert any(len(k) > 1 for k in kinds.values()), "several outcome kinds for some youths"
    loose = [y for y, t in types.items() if "outcome" in t and "interview" not in t]
    assert loose, "outcomes of youths never interviewed (not counted in youths_with_access)"
    assert any("civis_exit" in t and "civis_entry" not in t for t in types.values())
    assert any("civis_exit" in t and "civis_entry" in t for t in types.values())
    national = truth["national"]
    kind_sum = sum(
        national[k]
        for k in ("youths_employment", "youths_subsidized_or_work_study", "youths_training")
    )
    assert kind_sum > national["youths_with_access"]
    # Distinct within scope: the structures' youths sum to more than the nation's.
    assert sum(s["youths_in_contact"] for s in truth["structures"].values()) > youths
    assert sum(r["youths_in_contact"] for r in truth["regions"].values()) > youths


def test_events_are_spread_over_the_months_in_a_plausible_order(year: Any) -> None:
    events, _ = year
    months = Counter(e["occurred_on"][:7] for e in events)
    assert len(months) == 12
    assert min(months.values()) > 0.02 * len(events)
    by_youth: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in events:
        if e["type"] != "retraction":
            by_youth[e["youth_id"]].append(e)
    retracted = {e["retracts"] for e in events if e["type"] == "retraction"}
    for evs in by_youth.values():
        story = [e for e in evs if e["event_id"] not in retracted]
        days = [e["occurred_on"] for e in story]
        assert days == sorted(days)
        where = {(e["occurred_on"], e["structure_id"]) for e in evs}
        assert len(where) == len({day for day, _ in where}), "one structure a day"
        if story[0]["type"] != "first_reception":
            assert all(e["type"] != "first_reception" for e in story)
        interviews = [e["occurred_on"] for e in story if e["type"] == "interview"]
        if interviews:
            assert all(e["occurred_on"] >= interviews[0] for e in story if e["type"] == "outcome")
        entries = [e["occurred_on"] for e in story if e["type"] == "civis_entry"]
        if entries:
            assert all(e["occurred_on"] >= entries[0] for e in story if e["type"] == "civis_exit")


def test_retractions_carry_their_targets_fields(year: Any) -> None:
    events, _ = year
    by_id = {e["event_id"]: e for e in events}
    retractions = [e for e in events if e["type"] == "retraction"]
    assert retractions
    for retraction in retractions:
        target = by_id[retraction["retracts"]]
        assert target["type"] != "retraction"
        for field in ("occurred_on", "structure_id", "youth_id"):
            assert retraction[field] == target[field]


def test_until_cuts_the_same_stream_and_the_truth_follows() -> None:
    until = dt.date(2007, 5, 31)
    full, _ = run(scale=0.001, seed=5)
    cut, truth = run(scale=0.001, seed=5, until=until)
    assert cut and all(e["occurred_on"] <= "2007-05-31" for e in cut)
    assert cut == [e for e in full if e["occurred_on"] <= "2007-05-31"]
    assert truth["national"]["interviews"] < round(KEY_FIGURES_2007["interviews"] * 0.001)
    assert_truth_is_recomputed(cut, truth)
    nothing, truth = run(scale=0.001, seed=5, until=dt.date(2006, 12, 31))
    assert nothing == [] and truth["events"] == 0 and truth["national"]["youths_in_contact"] == 0


def test_truth_is_known_once_the_stream_is_exhausted() -> None:
    simulation = YearSimulation(2007, 0.001, 1, STRUCTURES)
    with pytest.raises(RuntimeError):
        simulation.truth()
    list(simulation.events())
    assert simulation.truth()["events"] > 0


def test_a_small_registry_with_a_closed_structure() -> None:
    from shared.registry import StructureFields

    structures = [
        (
            "ML-11-001",
            StructureFields(name="Mission locale de Paris", kind="mission_locale", region="11"),
        ),
        ("PAIO-24-001", StructureFields(name="PAIO de Chartres", kind="paio", region="24")),
        (
            "ML-24-001",
            StructureFields(
                name="Mission locale de Tours",
                kind="mission_locale",
                region="24",
                closed_on=dt.date(2005, 6, 30),
            ),
        ),
    ]
    events, truth = run(scale=0.001, structures=structures)
    assert {e["structure_id"] for e in events} == {"ML-11-001", "PAIO-24-001"}
    assert set(truth["structures"]) == {"ML-11-001", "PAIO-24-001"}
    assert truth["national"]["interviews"] == 3600
