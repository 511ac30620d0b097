"""A structure's own contact address on its page (``/declarations``), and the mails bilan sent
it: the address is shown to the structure and to admins only (SPEC §5), and the structure
changes it itself — a form that works without JavaScript, checked here, an error beside the
field (a 422), or saved and back to the page with a message. An empty field removes it.
"""

from __future__ import annotations

from typing import Any

from flask import flash
from sqlalchemy.orm import Session

from services.http.errors import ApiError
from services.web.db import transaction
from shared.mail.addresses import MAX_LENGTH
from shared.mail.outbox import PENDING, REFUSED, SENT, mails_of_structure
from shared.registry import InvalidStructure, set_contact

ADDRESS_ERROR = (
    "Cette adresse n'est pas valide : indiquez une seule adresse, de la forme "
    "nom@domaine.fr, sans espace ni accent."
)
MAIL_STATES = {SENT: "envoyé", PENDING: "en attente d'envoi", REFUSED: "non remis"}
KINDS = {"reminder": "Rappel", "validated": "Validation", "rejected": "Rejet"}


def mails_sent_to(db: Session, structure_id: str) -> list[dict[str, Any]]:
    """The structure's mails, newest first, as its page lists them."""
    return [
        {"mail": mail, "kind": KINDS.get(mail.kind, mail.kind), "state": MAIL_STATES[mail.status]}
        for mail in mails_of_structure(db, structure_id)
    ]


def save_contact(structure_id: str, typed: str) -> str | None:
    """Save the address the structure typed (none when empty); the error to show beside the
    field, or None once saved (and said in a message)."""
    typed = typed.strip()
    if len(typed) > MAX_LENGTH or "\x00" in typed:
        return ADDRESS_ERROR
    try:
        with transaction() as db:
            set_contact(db, structure_id, typed or None)
    except InvalidStructure:
        return ADDRESS_ERROR
    except LookupError:
        message = "La structure de ce jeton n'est plus dans le répertoire."
        raise ApiError(404, "unknown_structure", message) from None
    if typed:
        flash(f"Adresse de contact enregistrée : {typed}.", "success")
    else:
        flash(
            "Adresse de contact retirée : la structure ne recevra plus ni rappels ni décisions "
            "par courriel.",
            "info",
        )
    return None
