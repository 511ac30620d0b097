"""Datetimes read back from the database, made UTC-aware; and the one zone they are shown in.

Everything is stored and exchanged (JSON) in UTC; every time a person reads — pages,
the report, CSV files — is in metropolitan France's time, named as such (``ZONE_NAME``).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

try:
    PARIS: dt.tzinfo = ZoneInfo("Europe/Paris")
    ZONE_NAME = "heure de Paris"
except ZoneInfoNotFoundError:  # a system without tz data still shows a time, saying it is UTC
    PARIS = dt.UTC
    ZONE_NAME = "UTC"


def paris_today() -> dt.date:
    """Today in metropolitan France: the day that decides whether a year has ended."""
    return dt.datetime.now(PARIS).date()


def as_utc(moment: dt.datetime) -> dt.datetime:
    """The moment as UTC-aware: SQLite gives datetimes back naive; every one written is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def in_paris(moment: dt.datetime) -> dt.datetime:
    """A stored moment in Paris time (a naive one is UTC, as every one written is)."""
    return as_utc(moment).astimezone(PARIS)


def paris_datetime(moment: dt.datetime, seconds: bool = True) -> str:
    """``12/06/2024 14:05:03`` in Paris time, without the zone's name (the caller says it)."""
    return in_paris(moment).strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")
