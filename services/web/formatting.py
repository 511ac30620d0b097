"""French formatting of numbers, rates, euros and times for the pages (``1 130 000``, ``48 %``).

Everything shown is formatted here, on the server — the pages and the dashboard's
refresh data (``/donnees.json``) alike: a narrow no-break space between groups of
thousands and before ``%``, halves rounded up, so that a refresh never changes how
an unchanged figure looks.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from shared.labels import Format
from shared.times import ZONE_NAME, in_paris, paris_datetime

NARROW_NBSP = "\u202f"


def format_number(value: int | float) -> str:
    """An integer with its thousands grouped: ``1 130 000``."""
    if not isinstance(value, int):
        value = int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return f"{value:,}".replace(",", NARROW_NBSP)


def format_percent(rate: float, digits: int = 0) -> str:
    """A rate in [0, 1] as a French percentage: ``48 %``, ``39,6 %`` with one digit."""
    quantum = Decimal(1).scaleb(-digits)
    percent = (Decimal(str(rate)) * 100).quantize(quantum, rounding=ROUND_HALF_UP)
    whole, _, fraction = f"{percent:f}".partition(".")
    text = format_number(int(whole))
    if fraction:
        text += "," + fraction
    return f"{text}{NARROW_NBSP}%"


def format_time(moment: dt.datetime) -> str:
    """The time of day in metropolitan France: ``14:05:03``."""
    return in_paris(moment).strftime("%H:%M:%S")


def format_datetime(moment: dt.datetime | None, seconds: bool = True) -> str:
    """A moment in Paris time with the zone's name: ``12/06/2024 à 14:05:03 (heure de Paris)``;
    ``—`` when there is none."""
    if moment is None:
        return "—"
    day, _, clock = paris_datetime(moment, seconds).partition(" ")
    return f"{day} à {clock} ({ZONE_NAME})"


def format_date(moment: dt.datetime) -> str:
    """The day of a moment, in Paris: ``12/06/2024``."""
    return in_paris(moment).strftime("%d/%m/%Y")


def format_count(value: int, singular: str, plural: str) -> str:
    """``1 déclaration validée``, ``0 déclaration validée``, ``12 déclarations validées``:
    French puts 0 and 1 in the singular."""
    return f"{format_number(value)} {singular if value < 2 else plural}"


def pending_label(pending: int) -> str:
    """The freshness state: up to date, or how many events are still to be counted."""
    if pending == 0:
        return "à jour"
    return f"{format_count(pending, 'événement', 'événements')} en cours d'intégration"


def format_euros(value: int | float) -> str:
    """``474 000 000 €``; millions as ``474 M€`` would hide the exact total."""
    return f"{format_number(value)}{NARROW_NBSP}€"


def format_value(value: Any, kind: Format) -> str:
    """A figure as its key's format says (shared.labels); ``—`` when there is none."""
    if value is None:
        return "—"
    if kind == "percent":
        return format_percent(value)
    if kind == "share":
        return format_percent(value, 1)
    if kind == "euros":
        return format_euros(value)
    return format_number(value)
