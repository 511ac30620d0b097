"""The campaign's window and reminders on the pages: the window said in French for every role,
and the admin's part of ``/admin`` — the form that sets a year's window (it proposes ICARE's
1 April – 30 June of the next year), the reminder days, who was reminded and when, the mails
that did not leave.

The form works without JavaScript: posted, checked here, shown again with each error beside
its date (a 422), or saved and back to ``/admin`` with a message.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.declarations.campaign_window import (
    LATEST_YEARS_AFTER,
    Window,
    WindowRefused,
    proposed_window,
)
from shared.declarations.reminders import reminder_days, reminders_of, without_address
from shared.mail.outbox import PENDING, REFUSED, SENT, counts_by_status, mails_of_year
from shared.publication.french_dates import day_in_words
from shared.storage.models.mail import Mail
from shared.storage.models.registry import Structure

FIELDS = {"opens_on": "Date d'ouverture", "closes_on": "Date de clôture"}
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_FRENCH = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
KIND_NAMES = {"reminder": "relance", "validated": "validation", "rejected": "rejet"}


def day_with_weekday(day: dt.date) -> str:
    """``mardi 30 juin 2026``."""
    return day_in_words(day, weekday=True)


def _days_left(days: int) -> str:
    if days == 0:
        return "c'est le dernier jour"
    return "plus qu'un jour" if days == 1 else f"plus que {days} jours"


@dataclass(frozen=True)
class WindowText:
    """A year's window as the pages say it."""

    phase: str
    sentence: str
    days_left: int | None
    days_left_text: str | None


def window_text(window: Window) -> WindowText:
    """The window's state in one French sentence (and the days left while open)."""
    year, opens, closes = window.year, window.opens_on, window.closes_on
    left = window.days_left
    if opens is None or closes is None:
        sentence = (
            f"Aucune période de déclaration n'est fixée pour {year} : les déclarations sont "
            "acceptées à tout moment."
        )
    else:
        first, last = day_with_weekday(opens), day_with_weekday(closes)
        if window.phase == "upcoming":
            sentence = f"La campagne {year} ouvrira le {first} et se terminera le {last} inclus."
        elif window.phase == "open":
            assert left is not None
            sentence = (
                f"La campagne {year} est ouverte du {first} au {last} inclus : {_days_left(left)}."
            )
        else:
            sentence = (
                f"La campagne {year} est close depuis le {last} (elle était ouverte à partir "
                f"du {first})."
            )
    return WindowText(window.phase, sentence, left, None if left is None else _days_left(left))


def parse_day(text: str) -> dt.date | None:
    """A date typed as ``2026-04-01`` (what a date field sends) or ``01/04/2026``; else None."""
    text = text.strip()
    iso, french = _ISO.fullmatch(text), _FRENCH.fullmatch(text)
    try:
        if iso:
            return dt.date(*(int(part) for part in iso.groups()))
        if french:
            day, month, year = (int(part) for part in french.groups())
            return dt.date(year, month, day)
    except ValueError:
        return None
    return None


@dataclass
class WindowForm:
    """The window form as posted (or as first shown), and its errors by field."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)


def form_of(window: Window) -> WindowForm:
    """The form as first shown: the saved window, else ICARE's for the year."""
    opens, closes = (
        (window.opens_on, window.closes_on)
        if window.opens_on is not None and window.closes_on is not None
        else proposed_window(window.year)
    )
    return WindowForm({"opens_on": opens.isoformat(), "closes_on": closes.isoformat()})


def read_window_form(form: Mapping[str, str], year: int) -> tuple[WindowForm, dict[str, dt.date]]:
    """The posted form, its errors in French, and the days it gives (when both are read)."""
    read = WindowForm({name: form.get(name, "") for name in FIELDS})
    days: dict[str, dt.date] = {}
    for name, label in FIELDS.items():
        text = read.values[name].strip()
        day = parse_day(text)
        if not text:
            read.errors[name] = f"Indiquez la {label.lower()}."
        elif day is None:
            read.errors[name] = (
                "Indiquez une date qui existe, au format JJ/MM/AAAA "
                f"(par exemple 01/04/{year + 1})."
            )
        else:
            days[name] = day
    return read, days


def refusal_of(exc: WindowRefused, year: int) -> str:
    """A window's refusal in French."""
    if exc.code == "closes_before_opens":
        return f"La date de clôture précède la date d'ouverture ({day_in_words(exc.limit)})."
    if exc.code == "opens_too_early":
        return f"La campagne {year} ouvre au plus tôt le {day_in_words(exc.limit)}."
    return (
        f"La campagne {year} se termine au plus tard le {day_in_words(exc.limit)} "
        f"({LATEST_YEARS_AFTER} ans après l'année déclarée)."
    )


def mail_row(mail: Mail, names: dict[str, str]) -> dict[str, Any]:
    """A mail as a line of the admin's tables."""
    return {
        "mail": mail,
        "name": names.get(mail.structure_id, mail.structure_id),
        "kind": KIND_NAMES.get(mail.kind, mail.kind),
    }


def admin_campaign(db: Session, window: Window, form: WindowForm | None) -> dict[str, Any]:
    """What ``/admin`` shows of a year's campaign."""
    settings = current_app.config["SETTINGS"]
    year = window.year
    names = dict(db.execute(select(Structure.structure_id, Structure.name)).all())
    troubles = [
        mail_row(mail, names)
        for mail in mails_of_year(db, year)
        if mail.status == REFUSED or (mail.status == PENDING and mail.attempts > 0)
    ]
    return {
        "window": window,
        "window_text": window_text(window),
        "window_form": form or form_of(window),
        "window_fields": FIELDS,
        "proposed": proposed_window(year),
        "reminder_days": reminder_days(window, settings.reminder_days),
        "reminders": [mail_row(mail, names) for mail in reminders_of(db, year)],
        "unreachable": without_address(db, year),
        "mail_counts": counts_by_status(db, year),
        "mail_troubles": troubles,
        "mail_on": settings.mail_on,
        "mail_states": {PENDING: "en attente", SENT: "envoyé", REFUSED: "refusé"},
    }
