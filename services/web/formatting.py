"""French formatting of numbers, rates, euros and times for the pages (``1 130 000``, ``48 %``),
of a change from one year to the next (``+1 234 (+3,2 %)``) and of a withheld value (``< 5``).

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
MINUS = "\u2212"  # the minus sign of French typography, not the hyphen


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


def pending_label(pending: int) -> str:
    """The freshness state: up to date, or how many events are still to be counted."""
    if pending == 0:
        return "à jour"
    noun = "événement" if pending == 1 else "événements"
    return f"{format_number(pending)} {noun} en cours d'intégration"


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


def withheld_mark(min_count: int) -> str:
    """The one mark of every value withheld from the public (statistical confidentiality):
    ``< 5`` — the same for a count below the threshold and for a value withheld beside it,
    so that a reader cannot tell them apart."""
    return f"< {min_count}"


def _signed(magnitude: str, value: int | float) -> str:
    sign = "+" if value > 0 else MINUS if value < 0 else ""
    return sign + magnitude


def format_change(absolute: int | float, relative: float | None, kind: Format) -> str:
    """A change from one year to the next: ``+1 234 (+3,2 %)``, ``−56`` when the year before
    was 0 (no relative change), ``+1,2 point`` for a rate (percentage points: a relative
    change of a rate reads as a second rate), ``sans changement``."""
    if absolute == 0:
        return "sans changement"
    if kind in ("percent", "share"):
        points = format_percent(abs(absolute), 1).removesuffix(f"{NARROW_NBSP}%")
        plural = Decimal(points.replace(NARROW_NBSP, "").replace(",", ".")) >= 2  # French rule
        return _signed(f"{points}{NARROW_NBSP}{'points' if plural else 'point'}", absolute)
    text = _signed(format_value(abs(absolute), kind), absolute)
    if relative is None:
        return text
    return f"{text} ({_signed(format_percent(abs(relative), 1), relative)})"
