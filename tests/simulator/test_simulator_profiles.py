"""The simulated profiles of first receptions (simulator/profiles.py): DARES's proportions."""

from __future__ import annotations

from collections import Counter

from shared.profiles import age_category
from simulator.generate import YearSimulation
from simulator.registry import demo_structures


def test_profiles_in_the_published_proportions() -> None:
    simulation = YearSimulation(2007, 0.01, 5, demo_structures())
    firsts = [e for e in simulation.events() if e["type"] == "first_reception"]
    profiles = [e["youth"] for e in firsts if "youth" in e]
    assert len(firsts) > 4000
    assert 0.02 < 1 - len(profiles) / len(firsts) < 0.08  # some without a profile
    women = sum(p["sex"] == "F" for p in profiles) / len(profiles)
    assert 0.5 < women < 0.58  # about half and half (54 %)
    ages = Counter(age_category(2007, p.get("birth_year")) for p in profiles)
    aged = sum(ages[band] for band in ("16_17", "18_21", "22_25"))
    assert ages["18_21"] > max(ages["16_17"], ages["22_25"])  # most youths 18-21
    assert 0.45 < ages["18_21"] / aged < 0.6
    assert 0 < ages["unknown"] < 0.06 * len(profiles)  # partial: no birth year
    levels = Counter(p["education_level"] for p in profiles)
    low = sum(levels[level] for level in ("VI", "Vbis", "V"))
    assert low > 0.5 * len(profiles)  # V and below, a majority
