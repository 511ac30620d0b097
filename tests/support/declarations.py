"""A valid annual declaration, as a structure would PUT it."""

from __future__ import annotations

from typing import Any

import msgspec

from shared.declarations.fields import DeclarationFields

DECLARATION: dict[str, Any] = {
    "professionals": 23,
    "funding": {"main": 900_000, "specific": 100_000, "managed_funds": 50_000},
    "funders": {
        "state": 400_000,
        "region": 200_000,
        "department": 100_000,
        "municipalities": 200_000,
        "esf": 60_000,
        "other": 40_000,
    },
}


def declaration_fields(**changes: Any) -> DeclarationFields:
    """DECLARATION with ``changes``, as the struct the domain takes."""
    return msgspec.convert({**DECLARATION, **changes}, DeclarationFields)
