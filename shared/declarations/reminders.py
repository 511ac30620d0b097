"""The reminders of a campaign: which structures are due one today, and writing them into the
outbox.

While a year's window is open, its reminder days are the closing day minus each of
``BILAN_REMINDER_DAYS`` (14 and 3 days by default). On or after such a day, a structure
active in the year, with a contact address, whose declaration is missing or rejected (not
submitted, not validated) gets a reminder — once per reminder day, and only for the latest
day reached: a run that finds both the 14-day and the 3-day reminders due (the first run
after a long stop, a window saved late) writes the 3-day one alone, and the 14-day one is
then never due again. The key of a reminder (year, structure, day) is unique in the outbox,
so that runs racing each other (every worker's sweep, ``bilan campaign remind``) write it
once. A structure without an address cannot be reminded: the admin's page lists them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from shared.declarations.campaign_window import Window, window_of
from shared.declarations.mails import reminder_letter
from shared.declarations.workflow import REJECTED
from shared.mail.outbox import REMINDER, MailConfig, enqueue, mails_of_year
from shared.pipeline.checkpoints import reached
from shared.registry import active_during
from shared.storage.models.declarations import Campaign, Declaration
from shared.storage.models.mail import Mail
from shared.storage.models.registry import Structure
from shared.times import as_utc, in_paris, paris_today


@dataclass(frozen=True)
class ReminderDay:
    """A reminder day of a window: the day, and how many days before closing it is."""

    day: dt.date
    days_before: int


@dataclass
class Reminders:
    """What a run found for a year: its window, the latest reminder day reached (None: none
    is due), and the structures it wrote a reminder for."""

    window: Window
    reached: ReminderDay | None
    written: list[str] = field(default_factory=list)


def reminder_days(window: Window, days: tuple[int, ...]) -> list[ReminderDay]:
    """The window's reminder days, earliest first (none without a window)."""
    if window.closes_on is None:
        return []
    found = {ReminderDay(window.closes_on - dt.timedelta(days=n), n) for n in days}
    return sorted(found, key=lambda r: r.day)


def latest_reached(window: Window, days: tuple[int, ...]) -> ReminderDay | None:
    """The latest reminder day on or before today, while the window is open; else None."""
    if window.phase != "open":
        return None
    reached = [r for r in reminder_days(window, days) if r.day <= window.today]
    return reached[-1] if reached else None


def _not_declared() -> ColumnElement[bool]:
    # The outer join's declaration is missing, or rejected and not sent again.
    return or_(Declaration.status.is_(None), Declaration.status == REJECTED)


def _of_year(year: int) -> ColumnElement[bool]:
    return and_(Declaration.structure_id == Structure.structure_id, Declaration.year == year)


def due_structures(
    session: Session, year: int, day: dt.date
) -> list[tuple[Structure, Declaration | None]]:
    """The structures due a reminder of ``day``: active in the year, with an address, not
    declared, and not reminded on that day or a later one; with their declaration if any."""
    reminded = select(Mail.structure_id).where(
        Mail.year == year, Mail.kind == REMINDER, Mail.reminder_day >= day
    )
    statement = (
        select(Structure, Declaration)
        .outerjoin(Declaration, _of_year(year))
        .where(
            active_during(year),
            Structure.email.is_not(None),
            _not_declared(),
            Structure.structure_id.not_in(reminded),
        )
        .order_by(Structure.structure_id)
    )
    return [(structure, declaration) for structure, declaration in session.execute(statement)]


def without_address(session: Session, year: int) -> list[Structure]:
    """The structures active in the year that have not declared and that no mail can reach."""
    statement = (
        select(Structure)
        .outerjoin(Declaration, _of_year(year))
        .where(active_during(year), Structure.email.is_(None), _not_declared())
        .order_by(Structure.structure_id)
    )
    return list(session.scalars(statement))


def write_reminders(
    session: Session,
    config: MailConfig,
    year: int,
    days: tuple[int, ...],
    today: dt.date | None = None,
) -> Reminders:
    """Write the reminders of ``year`` due today (Paris) into the outbox, in the session's
    transaction."""
    window = window_of(session, year, today)
    found = Reminders(window, latest_reached(window, days))
    if found.reached is None:
        return found
    day = found.reached.day
    due = due_structures(session, year, day)
    # Another run may have read the same structures: the unique key writes each reminder once.
    reached("reminders.read")
    for structure, declaration in due:
        assert structure.email is not None
        rejection = None
        if declaration is not None and declaration.decided_at is not None:
            rejection = (in_paris(as_utc(declaration.decided_at)).date(), declaration.reason or "")
        written = enqueue(
            session,
            config,
            key=f"reminder:{year}:{structure.structure_id}:{day.isoformat()}",
            kind=REMINDER,
            year=year,
            structure_id=structure.structure_id,
            recipient=structure.email,
            letter=reminder_letter(config, structure, year, window, rejection),
            reminder_day=day,
        )
        if written:
            found.written.append(structure.structure_id)
    return found


def open_years(session: Session, today: dt.date | None = None) -> list[int]:
    """The years whose window is open today (Paris): the only ones with reminders to write."""
    day = today or paris_today()
    return list(
        session.scalars(
            select(Campaign.year)
            .where(Campaign.opens_on <= day, Campaign.closes_on >= day)
            .order_by(Campaign.year)
        )
    )


def write_due_reminders(
    session: Session, config: MailConfig, days: tuple[int, ...], today: dt.date | None = None
) -> list[Reminders]:
    """The reminders due today of every year whose window is open (the workers' daily run)."""
    return [
        write_reminders(session, config, year, days, today) for year in open_years(session, today)
    ]


def reminders_of(session: Session, year: int) -> list[Mail]:
    """The reminders written for a year, oldest first (who was reminded, and when)."""
    return mails_of_year(session, year, REMINDER)
