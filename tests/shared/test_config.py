"""Settings come from the environment only, timing knobs included."""

from __future__ import annotations

from shared.config import SWEEP_SECONDS, load_settings


def test_timing_settings_are_read_from_the_environment() -> None:
    settings = load_settings(
        {"BILAN_TASK_SECONDS": "0", "BILAN_SWEEP_SECONDS": "0.5", "BILAN_STALE_SECONDS": "4"}
    )
    assert (settings.task_seconds, settings.sweep_seconds, settings.stale_seconds) == (0, 0.5, 4)


def test_timing_defaults_are_the_production_ones() -> None:
    settings = load_settings({})
    assert (settings.task_seconds, settings.sweep_seconds, settings.stale_seconds) == (30, 5, 20)
    assert settings.sweep_seconds == SWEEP_SECONDS


def test_statistical_confidentiality_is_off_unless_set() -> None:
    assert load_settings({}).public_min_count == 0
    assert load_settings({"BILAN_PUBLIC_MIN_COUNT": "5"}).public_min_count == 5
