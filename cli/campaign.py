"""``bilan campaign remind Y``: the reminders of year Y's declarations that are due now, written
into the outbox and sent from this process (the workers' sweep does the same every day).

A reminder already written is never written again (shared/declarations/reminders.py), so
the command can be run any number of times, beside running workers. What the relay does
not take now stays in the outbox, where the workers retry it; the command then exits 1.
"""

from __future__ import annotations

import click
from tqdm import tqdm

from shared.config import load_settings
from shared.declarations.campaign_window import Window
from shared.declarations.reminders import ReminderDay, reminder_days, write_reminders
from shared.events import FIRST_DAY
from shared.mail.delivery import Delivery, send_due_mails
from shared.mail.outbox import REMINDER, MailConfig, Scope, due_count
from shared.publication.french_dates import day_in_words
from shared.storage.db import engine_for, session_factory
from shared.times import paris_today


@click.group()
def campaign() -> None:
    """The declaration campaigns."""


def _nothing_due(window: Window, days: list[ReminderDay]) -> str:
    """Why no reminder is due today, in one line."""
    year = window.year
    if window.phase == "upcoming":
        return f"the campaign of {year} opens on {window.opens_on}: no reminder is due yet"
    if window.phase == "closed":
        return f"the campaign of {year} closed on {window.closes_on}: no reminder is due"
    later = [r for r in days if r.day > window.today]
    if later:
        return (
            f"no reminder of {year} is due today; the next is on {later[0].day} "
            f"({later[0].days_before} days before closing on {window.closes_on})"
        )
    return f"no reminder day of {year} is left before closing on {window.closes_on}"


@campaign.command("remind")
@click.argument("year", type=int)
@click.option("--quiet", is_flag=True, help="No progress bar.")
def campaign_remind(year: int, quiet: bool) -> None:
    """Send the reminders of YEAR's declarations that are due now."""
    settings = load_settings()
    config = MailConfig.of(settings)
    if config is None:
        raise click.ClickException(
            "no mail can be sent: set BILAN_SMTP_URL (an SMTP relay) or BILAN_MAIL_DIR (a folder)"
        )
    last = paris_today().year + 1
    if not FIRST_DAY.year <= year <= last:
        raise click.ClickException(f"year {year} is refused: expected {FIRST_DAY.year} to {last}")
    sessions = session_factory(engine_for(settings.database_url))
    with sessions.begin() as session:
        found = write_reminders(session, config, year, settings.reminder_days)
    window = found.window
    if window.phase == "unset":
        raise click.ClickException(
            f"{year} has no declaration window: an admin sets it first "
            f"(/admin, or PUT /v1/campaigns/{year})"
        )
    if found.reached is None:
        click.echo(_nothing_due(window, reminder_days(window, settings.reminder_days)))
        return
    assert window.closes_on is not None
    click.echo(
        f"{len(found.written)} reminder(s) of {year} written for {found.reached.day} "
        f"({found.reached.days_before} days before closing on {window.closes_on}, "
        f"{day_in_words(window.closes_on)})"
    )
    scope = Scope(year=year, kind=REMINDER)
    with sessions() as session:
        total = due_count(session, scope)
    with tqdm(total=total, desc="reminders", unit="mail", disable=quiet or not total) as bar:

        def moved(done: Delivery) -> None:
            bar.update(done.sent + done.refused + done.deferred - bar.n)

        done = send_due_mails(sessions, settings, scope, on_mail=moved)
    click.echo(f"reminders of {year}: {done.sent} sent, {done.refused} refused by the relay")
    if done.deferred:
        reason = done.unreachable or "the relay asked to try again later"
        raise click.ClickException(
            f"{done.deferred} reminder(s) put off ({reason}): they wait in the outbox, and the "
            "workers send them when the relay takes them"
        )
