"""The workers' part in the retention of personal data: the task that purges the years
``BILAN_RETENTION_YEARS`` makes due (shared/retention/expiry.py), and the sweep's part — asking
for it once an hour while the setting is on, and deleting the audit's expired rows.

``purge_expired_years`` carries no argument: it finds the eligible years itself, under the
purge's own lock (shared/retention/closure.py), so that a duplicate, redelivered or
concurrent task purges nothing twice; ``acks_late``: a worker killed halfway leaves the
message to another, which finishes the years left ``purging``.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy.orm import Session, sessionmaker

from services.aggregate.celery_app import app
from services.aggregate.mail_tasks import HourlyClock
from shared.audit.actions import expire_audit
from shared.config import Settings, load_settings
from shared.pipeline.queue import PURGE_EXPIRED, notify_retention
from shared.retention.expiry import purge_expired
from shared.storage.db import engine_for
from shared.times import paris_today

log = logging.getLogger(__name__)


@app.task(name=PURGE_EXPIRED, acks_late=True, reject_on_worker_lost=True)
def purge_expired_years() -> int:
    """Purge the years due and eligible (nothing with the setting off); the events deleted."""
    settings = load_settings()
    if settings.retention_years is None:
        return 0
    done = purge_expired(
        engine_for(settings.database_url),
        settings.retention_years,
        progress=lambda line: log.info("retention purge: %s", line),
    )
    return sum(year.events for year in done)


def retention_sweep(
    sessions: sessionmaker[Session], settings: Settings, clock: HourlyClock
) -> bool:
    """The sweep's part (when ``clock`` says): delete the audit's rows older than
    ``BILAN_AUDIT_RETENTION_DAYS``, and ask for the retention's purge if the setting is on.
    Whether it asked."""
    if not clock.due(paris_today(), time.monotonic()):
        return False
    with sessions.begin() as session:
        gone = expire_audit(session, settings.audit_retention_days)
    if gone:
        log.info("audit: %s rows older than %s days deleted", gone, settings.audit_retention_days)
    return settings.retention_years is not None and notify_retention(settings)
