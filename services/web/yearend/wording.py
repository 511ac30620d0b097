"""The French words of the year-end pages: a declaration's states, the actions of its audit
trail, the kinds of structure and a structure in words; and the page's year (a French 400 when
it is not one)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.http.errors import ApiError
from services.web.parameters import parse_year, year_range
from shared.declarations.campaign import NONE
from shared.declarations.workflow import REJECTED, SUBMITTED, VALIDATED
from shared.regions import REGIONS
from shared.storage.models.registry import Structure

# A state's name and its DSFR badge.
STATES: dict[str, tuple[str, str]] = {
    NONE: ("non transmise", "fr-badge--new"),
    SUBMITTED: ("transmise, à valider", "fr-badge--info"),
    VALIDATED: ("validée", "fr-badge--success"),
    REJECTED: ("rejetée", "fr-badge--error"),
}

ACTIONS = {
    "submitted": "transmise",
    "resubmitted": "transmise à nouveau",
    "validated": "validée",
    "rejected": "rejetée",
}

ROLES = {
    "admin": "administration nationale",
    "validator": "DRTEFP (validation régionale)",
    "structure": "structure",
}

KINDS = {"mission_locale": "mission locale", "paio": "PAIO"}


def structure_words(structure: Structure) -> dict[str, Any]:
    """A structure as a year-end page shows it: the row, its kind and its region in words."""
    return {
        "structure": structure,
        "kind": KINDS.get(structure.kind, structure.kind),
        "region": REGIONS.get(structure.region, structure.region),
    }


def campaign_year(today: dt.date | None = None) -> int:
    """The year a campaign declares by default: ICARE is filled in from April to June for the
    year before (the seed's report)."""
    return (today or dt.date.today()).year - 1


def page_year(text: str | None) -> int:
    """A page's year (the campaign's when absent), or a 400 with a French message."""
    if text is None:
        return campaign_year()
    try:
        return parse_year(text)
    except ApiError:
        first, last = year_range()
        message = f"L'année doit être comprise entre {first} et {last}."
        raise ApiError(400, "invalid_parameter", message) from None
