"""Simulated declarations add up exactly to the 2007 staff and funding figures."""

from __future__ import annotations

import msgspec
import pytest

from shared.declarations.fields import DeclarationFields, check_fields
from simulator.declarations import apportion, simulate_declarations
from simulator.registry import demo_structures


def test_apportion_is_exact() -> None:
    assert apportion(10, [1, 1, 1]) == [4, 3, 3]
    assert sum(apportion(1_000_003, [0.3, 2.7, 1.1, 9.0])) == 1_000_003
    assert apportion(0, [1, 2]) == [0, 0]


def test_scale_one_gives_the_2007_figures() -> None:
    simulated = simulate_declarations(2007, 1.0, 1, demo_structures())
    assert len(simulated.bodies) == 486
    truth = simulated.truth(youths_interviewed=995_800)
    assert truth["professionals"] == 11_049
    assert (truth["funding_main"], truth["funding_specific"], truth["funding_managed_funds"]) == (
        406_000_000,
        58_000_000,
        10_000_000,
    )
    assert truth["funding_total"] == 474_000_000
    shares = {key: truth[f"funder_share_{key}"] for key in ("state", "region", "department")}
    assert shares == {"state": 0.396, "region": 0.182, "department": 0.054}
    assert truth["funder_share_municipalities"] == 0.222
    assert truth["funder_share_esf"] == 0.081
    assert truth["funder_share_other"] == 0.065
    assert truth["cost_per_youth"] == 476
    for body in simulated.bodies.values():
        check_fields(msgspec.convert(body, DeclarationFields))  # funders = main + specific


@pytest.mark.parametrize("scale", [0.01, 0.1])
def test_other_scales_are_proportional_and_valid(scale: float) -> None:
    simulated = simulate_declarations(2007, scale, 7, demo_structures())
    sums = simulated.sums()
    assert sums["professionals"] == round(11_049 * scale)
    assert sums["funding_main"] == round(406_000_000 * scale)
    for body in simulated.bodies.values():
        check_fields(msgspec.convert(body, DeclarationFields))
    assert simulate_declarations(2007, scale, 7, demo_structures()) == simulated
