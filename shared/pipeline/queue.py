"""The broker as a notification channel: "there are recorded batches to apply".

The database is the only copy of the work; a lost notification is made good by
the workers' periodic sweep. The embedded default broker is Kombu's SQLAlchemy
transport on a SQLite file beside the database: durable, and nothing to install.
"""

from __future__ import annotations

import logging
import time
from functools import cache
from pathlib import Path
from typing import Any

from celery import Celery

from shared.config import Settings

APPLY_PENDING = "bilan.apply_pending"
CONSOLIDATE = "bilan.consolidate"
SEND_MAILS = "bilan.send_mails"
PURGE_EXPIRED = "bilan.purge_expired"
log = logging.getLogger(__name__)


def broker_url(settings: Settings) -> str:
    if not settings.broker_is_embedded:
        return settings.broker_url
    if settings.database_url.startswith("sqlite:///"):
        database = Path(settings.database_url.removeprefix("sqlite:///"))
        return f"sqla+sqlite:///{database.with_name(database.stem + '-broker.db')}"
    return f"sqla+sqlite:///{Path.cwd() / 'bilan-broker.db'}"


def configure_celery(app: Celery, settings: Settings) -> Celery:
    url = broker_url(settings)
    app.conf.update(
        broker_url=url,
        broker_connection_retry_on_startup=True,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
    )
    if url.startswith("redis"):
        # A dead worker's unacknowledged message is redelivered after this; the
        # sweep normally re-notifies much sooner.
        app.conf.broker_transport_options = {
            "visibility_timeout": 300,
        }
    return app


@cache
def _client(settings: Settings) -> Celery:
    """The senders' app (ingest, web, sweep): it fails fast when the broker is down,
    since a notification is never worth a wait (the workers' own app keeps retrying)."""
    app = configure_celery(Celery("bilan-client"), settings)
    if app.conf.broker_url.startswith("redis"):
        app.conf.broker_transport_options = {
            **app.conf.broker_transport_options,
            "socket_connect_timeout": 1,
            "socket_timeout": 5,
            "max_retries": 1,
            "interval_start": 0,
            "interval_step": 0.2,
            "interval_max": 0.2,
        }
    return app


def _send(
    settings: Settings, task: str, could_not: str, sweep_will: str, args: list[Any] | None = None
) -> bool:
    """Send ``task`` to the workers; False if the broker fails, logged as "could not
    ``could_not`` (the error); the sweep will ``sweep_will``" — never raised: what the task
    works on is already durable, and the workers' sweep finds it."""
    try:
        _client(settings).send_task(task, args=args, retry=False)
    except Exception as exc:  # noqa: BLE001 - any broker failure is tolerated here
        log.warning("could not %s (%s); the sweep will %s", could_not, exc, sweep_will)
        return False
    return True


def notify_pending(settings: Settings) -> bool:
    """Tell the workers that batches wait; False (and logged) if the broker is unreachable.

    Never fatal: the batch is already durable and the sweep will find it.
    """
    # While the broker is down, do not make every request wait for it to fail again.
    if time.monotonic() < _broker_down_until.get(settings.broker_url, 0.0):
        return False
    sent = _send(settings, APPLY_PENDING, "notify workers", "apply the batch")
    if not sent:
        _broker_down_until[settings.broker_url] = time.monotonic() + BROKER_DOWN_SECONDS
    return sent


BROKER_DOWN_SECONDS = 5.0
_broker_down_until: dict[str, float] = {}


def send_consolidation(settings: Settings, job_id: int) -> bool:
    """Ask a worker to run consolidation job ``job_id``; False (and logged) if the broker fails.

    Never fatal: the job row is durable and the workers' sweep re-sends stale jobs.
    """
    return _send(settings, CONSOLIDATE, f"send consolidation {job_id}", "re-send it", [job_id])


def notify_mails(settings: Settings) -> bool:
    """Tell the workers that mails wait in the outbox; False (and logged) if the broker fails.

    Never fatal: the mails are rows, and the workers' sweep sends what is due.
    """
    return _send(settings, SEND_MAILS, "wake the mail sender", "send the mails")


def notify_retention(settings: Settings) -> bool:
    """Ask a worker to purge the years the retention setting makes due; False (and logged) if
    the broker fails. Never fatal: the sweep asks again within the hour."""
    return _send(settings, PURGE_EXPIRED, "ask for the retention's purge", "ask again")


def broker_reachable(settings: Settings) -> bool:
    try:
        with _client(settings).connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        return False
    return True
