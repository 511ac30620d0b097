"""Every figure key of a frozen report (SPEC §4, both tables), in the order of the spec."""

from __future__ import annotations

from shared.declarations.fields import FUNDER_KEYS
from shared.figures import FIGURE_KEYS

REGISTRY_KEYS: tuple[str, ...] = ("structures", "missions_locales", "paio")
DECLARATION_KEYS: tuple[str, ...] = (
    "professionals",
    "funding_total",
    "funding_main",
    "funding_specific",
    "funding_managed_funds",
    *(f"funder_share_{key}" for key in FUNDER_KEYS),
    "cost_per_youth",
)
REPORT_KEYS: tuple[str, ...] = (*FIGURE_KEYS, *REGISTRY_KEYS, *DECLARATION_KEYS)
