"""Secrets that every replica of a service must share, generated once into the database.

The key of the web's sign-in cookie signs it: a fixed default would let anyone sign their
own. Unless ``BILAN_SECRET_KEY`` gives one, the first process to need the key draws a
random one and stores it; the others read it (INSERT … ON CONFLICT DO NOTHING, then
read back, so two first starts agree on one).
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.storage.db import upsert
from shared.storage.models.access import AppSecret
from shared.storage.models.base import utcnow

# (Its row's name predates the word "sign-in": a name in the data, kept.)
COOKIE_SIGNING_KEY = "web_session_key"


def shared_secret(session: Session, name: str) -> str:
    """The secret called ``name``, drawn now if it does not exist yet (the caller commits)."""
    value = session.scalar(select(AppSecret.value).where(AppSecret.name == name))
    if value is not None:
        return value
    drawn = secrets.token_urlsafe(48)
    session.execute(
        upsert(session, AppSecret)
        .values(name=name, value=drawn, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["name"])
    )
    stored: str = session.scalars(select(AppSecret.value).where(AppSecret.name == name)).one()
    return stored
