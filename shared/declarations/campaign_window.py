"""A year's declaration window (SPEC §5): when its structures may declare, and whether they may
today.

ICARE is "accessible en saisie, chaque année d'avril à juin" of the year after: an admin
saves each year's window (``proposed_window``: 1 April – 30 June of the next year), and
until then the year is open. The dates are days in Paris, both ends included. Only the
structures are bound by it: an admin declares for any of them at any time (a late
declaration the region agreed to), and validators decide whenever they do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.access.tokens import Caller
from shared.audit.actions import CAMPAIGN_WINDOW, actor_of, record_action
from shared.declarations.fields import DeclarationError
from shared.storage.models.base import utcnow
from shared.storage.models.declarations import Campaign
from shared.times import paris_today

# A window of year Y lies between 1 January Y and 31 December of Y + LATEST_YEARS_AFTER:
# a date outside is a typing mistake (2062 for 2026), never a campaign.
LATEST_YEARS_AFTER = 2

Phase = Literal["unset", "upcoming", "open", "closed"]


class WindowRefused(ValueError):
    """A window that cannot be saved: which date (``field``), why (``code``), and the
    ``limit`` it crossed (the other date, or the earliest or latest day allowed)."""

    def __init__(self, code: str, field: str, limit: dt.date, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.field = field
        self.limit = limit
        self.message = message


@dataclass(frozen=True)
class Window:
    """A year's window as of ``today`` (Paris); no dates: none saved, the year is open."""

    year: int
    opens_on: dt.date | None
    closes_on: dt.date | None
    today: dt.date

    @property
    def phase(self) -> Phase:
        if self.opens_on is None or self.closes_on is None:
            return "unset"
        if self.today < self.opens_on:
            return "upcoming"
        return "open" if self.today <= self.closes_on else "closed"

    @property
    def open(self) -> bool:
        """Whether a structure may declare today."""
        return self.phase in ("unset", "open")

    @property
    def days_left(self) -> int | None:
        """Days from today to the closing day while open (0: it closes tonight); else None."""
        if self.phase != "open":
            return None
        assert self.closes_on is not None
        return (self.closes_on - self.today).days


def proposed_window(year: int) -> tuple[dt.date, dt.date]:
    """The window a form proposes for a year: ICARE's, April to June of the next year."""
    return dt.date(year + 1, 4, 1), dt.date(year + 1, 6, 30)


def window_of(session: Session, year: int, today: dt.date | None = None) -> Window:
    """The year's window as of ``today`` (default: today in Paris)."""
    row = session.get(Campaign, year)
    return Window(
        year=year,
        opens_on=None if row is None else row.opens_on,
        closes_on=None if row is None else row.closes_on,
        today=today or paris_today(),
    )


def check_window(year: int, opens_on: dt.date, closes_on: dt.date) -> None:
    """A ``WindowRefused`` unless the window can be the year's."""
    earliest = dt.date(year, 1, 1)
    latest = dt.date(year + LATEST_YEARS_AFTER, 12, 31)
    if opens_on < earliest:
        raise WindowRefused(
            "opens_too_early", "opens_on", earliest,
            f"opens_on ({opens_on}) is before {earliest}: a window of {year} opens in {year} "
            "at the earliest",
        )  # fmt: skip
    if closes_on > latest:
        raise WindowRefused(
            "closes_too_late", "closes_on", latest,
            f"closes_on ({closes_on}) is after {latest}: a window of {year} closes by the end "
            f"of {year + LATEST_YEARS_AFTER}",
        )  # fmt: skip
    if closes_on < opens_on:
        raise WindowRefused(
            "closes_before_opens", "closes_on", opens_on,
            f"closes_on ({closes_on}) is before opens_on ({opens_on})",
        )  # fmt: skip


def save_window(
    session: Session, caller: Caller, year: int, opens_on: dt.date, closes_on: dt.date
) -> tuple[Window, bool]:
    """Set the year's window (an admin's); the window, and True when it was the first."""
    if caller.role != "admin":
        raise DeclarationError("forbidden", f"role {caller.role!r} may not set a campaign")
    check_window(year, opens_on, closes_on)
    values = {
        "opens_on": opens_on,
        "closes_on": closes_on,
        "updated_at": utcnow(),
        "token_id": caller.token_id,
    }
    row = session.get(Campaign, year, with_for_update=True)
    created = row is None
    if row is None:
        try:
            with session.begin_nested():
                session.add(Campaign(year=year, **values))
        except IntegrityError:  # a concurrent first save committed since: this one follows it
            created = False
            row = session.get_one(Campaign, year, with_for_update=True, populate_existing=True)
    if row is not None:
        for name, value in values.items():
            setattr(row, name, value)
    record_action(
        session, actor_of(caller), CAMPAIGN_WINDOW, str(year), f"{opens_on} to {closes_on}"
    )
    session.flush()
    return window_of(session, year), created


def check_may_declare(session: Session, caller: Caller, year: int) -> None:
    """A ``campaign_closed`` refusal when a structure declares outside its year's window."""
    if caller.role == "admin":
        return
    window = window_of(session, year)
    if window.open:
        return
    when = "has not opened yet" if window.phase == "upcoming" else "is closed"
    raise DeclarationError(
        "campaign_closed",
        f"the declaration window of {year} {when}: structures declare from "
        f"{window.opens_on} to {window.closes_on} included (Europe/Paris)",
    )
