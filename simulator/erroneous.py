"""The erroneous events of a simulated year: what an event that will be retracted carries."""

from __future__ import annotations

from typing import Any

from shared.events import EXIT_REASONS
from simulator.profiles import draw_profile
from simulator.youth import CHANNELS, LOOSE_OUTCOMES


def wrong_extra(event_type: str, rnd: Any, year: int) -> tuple[str | None, Any]:
    """The type-specific field of an erroneous event (later retracted)."""
    if event_type == "outcome":
        return "outcome", LOOSE_OUTCOMES[int(rnd() * 10)]
    if event_type == "civis_exit":
        return "exit_reason", EXIT_REASONS[int(rnd() * 4)]
    if event_type == "contact":
        return "channel", CHANNELS[int(rnd() * 20)]
    if event_type == "first_reception":
        # Retracted later: a profile that must never count, if it carries one.
        profile = draw_profile(rnd, year)
        return (None, None) if profile is None else ("youth", profile)
    return None, None
