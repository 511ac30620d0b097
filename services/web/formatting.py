"""French formatting of numbers, rates, euros and times for the pages (``1 130 000``, ``48 %``),
and the French alphabetical order of names (``alphabetical``).

Everything shown is formatted here, on the server — the pages and the dashboard's
refresh data (``/donnees.json``) alike: a narrow no-break space between groups of
thousands and before ``%``, halves rounded up, so that a refresh never changes how
an unchanged figure looks. A change from the previous year reads ``+1 200 (+3,2 %)``,
a rate's in percentage points, and ``n.d.`` when it cannot be told; a value withheld from
the public is ``s`` (``WITHHELD``).
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from shared.figures import rate_undefined
from shared.publication.french_dates import (
    MONTHS as MONTHS,  # services/web/live/comparison.py's too
)
from shared.publication.french_dates import day_in_words
from shared.publication.labels import LABELS, Format, plural_form
from shared.publication.series import Change
from shared.times import ZONE_NAME, in_paris, paris_datetime

NARROW_NBSP = "\u202f"


@functools.lru_cache(maxsize=4096)  # names come back at every request
def alphabetical(name: str) -> str:
    """A name's key in French alphabetical order: accents and case ignored (Île after Haute)."""
    return "".join(
        c for c in unicodedata.normalize("NFD", name.casefold()) if not unicodedata.combining(c)
    )


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
    French puts 0 and 1 in the singular (``shared.publication.labels.plural_form``)."""
    return f"{format_number(value)} {plural_form(value, singular, plural)}"


def format_day(day: dt.date) -> str:
    """A day in words: ``7 décembre 2026``, ``1er mars 2026``."""
    return day_in_words(day)


def pending_label(pending: int) -> str:
    """The freshness state: up to date, or how many events are still to be counted."""
    if pending == 0:
        return "à jour"
    return f"{format_count(pending, 'événement', 'événements')} en cours d'intégration"


def format_euros(value: int | float) -> str:
    """``474 000 000 €``; millions as ``474 M€`` would hide the exact total."""
    return f"{format_number(value)}{NARROW_NBSP}€"


def format_value(value: Any, kind: Format) -> str:
    """A figure as its key's format says (shared.publication.labels); ``—`` when there is none."""
    if value is None:
        return "—"
    if kind == "percent":
        return format_percent(value)
    if kind == "share":
        return format_percent(value, 1)
    if kind == "euros":
        return format_euros(value)
    return format_number(value)


NOT_AVAILABLE = "n.d."
MINUS = "\u2212"


def format_figure(values: Mapping[str, Any], key: str) -> str:
    """One figure of a cell as its key's format says; ``n.d.`` for a rate whose denominator
    is zero (SPEC §4 gives it 0: it does not exist); ``—`` when there is none."""
    if rate_undefined(values, key):
        return NOT_AVAILABLE
    return format_value(values.get(key), LABELS[key].format)


def _signed(text: str, value: float) -> str:
    # Given a magnitude: a true minus sign, as French typesetting has it, or a plus.
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"{MINUS}{text}"
    return text


def format_change(change: Change, kind: Format) -> str:
    """A figure's change from the previous year (shared.publication.series): ``+1 200 (+3,2 %)``;
    for a rate or a share, in points: ``+2,1 pts (+4,5 %)``; ``n.d.`` when unknown."""
    if change.absolute is None:
        return NOT_AVAILABLE
    delta = change.absolute
    if kind in ("percent", "share"):
        points = format_percent(abs(delta), 1).removesuffix(f"{NARROW_NBSP}%")
        shown = (Decimal(str(abs(delta))) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        unit = plural_form(float(shown), "pt", "pts")  # as printed: "1,9 pt", "2,0 pts"
        absolute = _signed(f"{points}{NARROW_NBSP}{unit}", delta)
    elif kind == "euros":
        absolute = _signed(format_euros(abs(delta)), delta)
    else:
        absolute = _signed(format_number(abs(delta)), delta)
    if change.relative is None:
        return f"{absolute} ({NOT_AVAILABLE})"
    relative = _signed(format_percent(abs(change.relative), 1), change.relative)
    return f"{absolute} ({relative})"


# The one mark of a value not published (statistical confidentiality): INSEE's "s", secret
# statistique. It claims no bound ("< 5" is false of a value withheld to protect another, and
# would tell the two apart), so it is true of every withheld value and of every rate, share
# or change computed from one.
WITHHELD = "s"
# What each mark means, for the legend under a table that uses it.
MARKS = {WITHHELD: "secret statistique", NOT_AVAILABLE: "non disponible"}


def marks_in(texts: Iterable[str]) -> list[str]:
    """The marks among these cell texts, in the order of ``MARKS``: what a table's legend
    must explain."""
    found = set(texts)
    return [mark for mark in MARKS if mark in found]
