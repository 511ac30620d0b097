"""The frozen report's profiles for a reader without a token (shared/report/profiles.py): each
dimension's national row protected on the report's own values, and withheld wherever the live
edition withholds the same cells."""

from __future__ import annotations

from typing import Any

from shared.figures import COUNTED, with_derived
from shared.report.profiles import protected_profiles


def document(women: dict[str, int], men: dict[str, int]) -> dict[str, Any]:
    """A report of 2007 whose youths are ``women`` and ``men`` (COUNTED values; none unknown)."""
    total = {key: women.get(key, 0) + men.get(key, 0) for key in COUNTED}
    zero = with_derived({})
    return {
        "year": 2007,
        "figures": with_derived(total),
        "profiles": {"sex": {"F": with_derived(women), "M": with_derived(men), "unknown": zero}},
    }


LARGE = {key: 40 for key in COUNTED} | {"interviews": 90}


def test_large_values_are_published_and_the_edition_still_withholds_its_own() -> None:
    report = document(LARGE, LARGE)
    shown = protected_profiles(report, 5, {})
    assert shown["profiles"] == report["profiles"]  # nothing small: nothing withheld
    edition = {"sex": {"F": frozenset({"youths_training"})}}
    shown = protected_profiles(report, 5, edition)["profiles"]["sex"]
    assert shown["F"]["youths_training"] is None
    assert shown["M"]["youths_training"] == 40
    assert shown["F"]["youths_employment"] == 40


def test_a_small_value_and_what_would_give_it_back_are_withheld() -> None:
    # Two women trained: the national figure minus the men's and the unknown's would say 2.
    report = document(LARGE | {"youths_training": 2}, LARGE)
    shown = protected_profiles(report, 5, {})["profiles"]["sex"]
    assert shown["F"]["youths_training"] is None
    assert None in (shown["M"]["youths_training"], shown["unknown"]["youths_training"])
    assert shown["F"]["youths_employment"] == 40  # the rest of the row stays published


def test_a_report_without_profiles_is_unchanged() -> None:
    report = {"year": 2006, "figures": with_derived({})}
    assert protected_profiles(report, 5, {}) == report
