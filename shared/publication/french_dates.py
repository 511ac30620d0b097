"""Days written out in French, as the pages and the mails say them: ``mardi 30 juin 2026``."""

from __future__ import annotations

import datetime as dt

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def day_in_words(day: dt.date, weekday: bool = False) -> str:
    """``7 décembre 2026``, ``1er mars 2026``; with its weekday: ``lundi 7 décembre 2026``."""
    number = "1er" if day.day == 1 else str(day.day)
    words = f"{number} {MONTHS[day.month - 1]} {day.year}"
    return f"{WEEKDAYS[day.weekday()]} {words}" if weekday else words
