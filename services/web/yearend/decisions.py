"""A validator's (or admin's) decision on a declaration, as every route takes it — the API,
the declaration's page, ``/admin``: decided, its mail to the structure written in the same
transaction, then the workers woken to send it."""

from __future__ import annotations

from flask import current_app

from services.web.db import transaction
from shared.access.tokens import Caller
from shared.declarations.workflow import decide
from shared.mail.outbox import MailConfig
from shared.pipeline.queue import notify_mails
from shared.storage.models.declarations import Declaration


def decide_and_mail(
    caller: Caller, year: int, structure_id: str, verdict: str, reason: str | None
) -> Declaration:
    """The declaration decided (``shared.declarations.workflow.decide``); its refusals raise."""
    settings = current_app.config["SETTINGS"]
    mail = MailConfig.of(settings)
    with transaction() as session:
        row = decide(session, caller, year, structure_id, verdict, reason, mail)
    if mail is not None:
        notify_mails(settings)
    return row
