"""Datetimes read back from the database, made UTC-aware."""

from __future__ import annotations

import datetime as dt


def as_utc(moment: dt.datetime) -> dt.datetime:
    """The moment as UTC-aware: SQLite gives datetimes back naive; every one written is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
