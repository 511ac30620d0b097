"""``/admin/donnees-personnelles``, in French, for admins: each year's state as the purge sees
it (shared/retention/eligibility.py) — live, frozen, being purged, purged — and what blocks
the purge of the others, with the retention setting; below, the audit log (access reads and
admin actions, shared/audit/).

A page of its own, not a section of ``/admin``: finding the years that hold youth-level
records reads the whole log, seconds on a national year, which the admin's daily page must not
pay on every load.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template
from sqlalchemy import select

from services.web.db import read_session
from services.web.signin.identity import require_identity
from shared.audit.actions import (
    CAMPAIGN_WINDOW,
    CONSOLIDATION_ASKED,
    PURGE,
    REGISTRY_IMPORTED,
    STRUCTURE_SAVED,
    TOKEN_CREATED,
    TOKEN_REVOKED,
    actions_since,
    reads_since,
)
from shared.audit.reads import DECLARATIONS, EXACT, EXPORT
from shared.retention.eligibility import (
    ACTIVE_JOB,
    CLOSED,
    DECLARATION_AFTER,
    DIFFERS,
    EVENT_AFTER,
    FROZEN,
    LIVE,
    NO_REPORT,
    NOT_ENDED,
    PENDING,
    PURGED,
    year_states,
)
from shared.retention.expiry import expired_through
from shared.storage.models.base import utcnow
from shared.storage.models.retention import PurgedYear
from shared.times import paris_today

ADMINS = "à l'administration nationale"
ACTION_LABELS = {
    TOKEN_CREATED: "jeton créé",
    TOKEN_REVOKED: "jeton révoqué",
    STRUCTURE_SAVED: "structure enregistrée",
    REGISTRY_IMPORTED: "répertoire importé",
    CONSOLIDATION_ASKED: "consolidation demandée",
    PURGE: "purge",
    CAMPAIGN_WINDOW: "fenêtre de campagne",
}
READ_LABELS = {EXACT: "chiffres exacts", EXPORT: "export des chiffres exacts",
               DECLARATIONS: "déclarations"}  # fmt: skip
AUDIT_DAYS, AUDIT_ROWS = 30, 200  # what the page shows: the rest with bilan audit --since
STATE_LABELS = {
    LIVE: "en direct",
    FROZEN: "figée",
    CLOSED: "purge en cours",
    PURGED: "purgée",
}
# Each blocker, by the beginning the command gives it; a version follows some.
BLOCKER_LABELS = {
    NOT_ENDED: "l'année n'est pas terminée",
    PENDING: "des événements de l'année attendent d'être comptés",
    ACTIVE_JOB: "une consolidation de l'année est en attente ou en cours",
    NO_REPORT: "l'année n'a pas de rapport figé : consolidez-la",
    EVENT_AFTER: (
        "un événement a été enregistré après son dernier rapport : consolidez-la à nouveau"
    ),
    DECLARATION_AFTER: (
        "une déclaration a changé après son dernier rapport : consolidez-la à nouveau"
    ),
    DIFFERS: (
        "les chiffres en direct diffèrent de son dernier rapport : lancez bilan verify, "
        "puis consolidez-la à nouveau"
    ),
}


def blocker_label(blocker: str) -> str:
    """What blocks a purge, in French (the command's English if it is a new one)."""
    for start, label in BLOCKER_LABELS.items():
        if blocker.startswith(start):
            return label
    return blocker


@dataclass(frozen=True)
class YearRow:
    """A year of the table: its state, its report, what blocks its purge, what a purge did."""

    year: int
    state: str
    label: str
    report_version: int | None
    blockers: list[str]
    purged: PurgedYear | None
    due: bool  # the retention setting makes it due for purging


def year_rows() -> list[YearRow]:
    """Every year with records, a report or a purge, newest first."""
    years = current_app.config["SETTINGS"].retention_years
    limit = None if years is None else expired_through(paris_today(), years)
    with read_session() as db:
        states = year_states(db)
        purges = {p.year: p for p in db.scalars(select(PurgedYear))}
        db.expunge_all()
    return [
        YearRow(
            year=s.year,
            state=s.state,
            label=STATE_LABELS.get(s.state, s.state),
            report_version=s.report_version,
            blockers=[blocker_label(b) for b in s.blockers],
            purged=purges.get(s.year),
            due=limit is not None and s.year <= limit,
        )
        for s in reversed(states)
    ]


def retention_page() -> str:
    require_identity("admin", what=ADMINS)
    settings = current_app.config["SETTINGS"]
    years = settings.retention_years
    return render_template(
        "retention.html",
        rows=year_rows(),
        retention_years=years,
        expired_through=None if years is None else expired_through(paris_today(), years),
        audit_days=settings.audit_retention_days,
        **audit_log(),
    )


def audit_log() -> dict[str, Any]:
    """The latest AUDIT_ROWS admin actions and hours of reads of the last AUDIT_DAYS days."""
    since = utcnow() - dt.timedelta(days=AUDIT_DAYS)
    with read_session() as db:
        actions = actions_since(db, since, AUDIT_ROWS)
        reads = reads_since(db, since, AUDIT_ROWS)
        db.expunge_all()
    return {
        "actions": actions,
        "reads": reads,
        "audit_shown_days": AUDIT_DAYS,
        "action_labels": ACTION_LABELS,
        "read_labels": READ_LABELS,
    }
