"""Celery tasks: thin wrappers around shared.pipeline.counters, one transaction per claim.

``apply_pending`` carries no argument: it claims unapplied batches from the
database (SKIP LOCKED), so redelivered or duplicate notifications are harmless
and any number of workers share the work. Between two claims it runs any queued
consolidation job: a worker (one task at a time) busy applying would otherwise leave
the job's message waiting until its apply task ends (``task_seconds``).

Besides the tasks, each worker runs two loops in threads: the sweep (what waits is sent
again; the day's reminders, the retention's purge: mail_tasks.py, retention_tasks.py) and,
with statistical confidentiality on, the publisher of the public edition
(shared/publication/edition.py) at its fixed pace; the workers' publishers exclude each other.
"""

from __future__ import annotations

import logging
import threading
import time

from celery import Task
from celery.signals import worker_ready
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from services.aggregate.celery_app import app
from services.aggregate.mail_tasks import HourlyClock, mail_sweep
from services.aggregate.retention_tasks import retention_sweep
from shared.config import Settings, load_settings
from shared.consolidation.jobs import LostJob, next_queued_job, run_job, stale_jobs
from shared.pipeline.claims import Applied
from shared.pipeline.counters import apply_batches, claim_pending_batches
from shared.pipeline.live import pending_events
from shared.pipeline.queue import APPLY_PENDING, CONSOLIDATE, notify_pending, send_consolidation
from shared.publication.edition import Published, publish, snapshot
from shared.storage.db import engine_for, session_factory

log = logging.getLogger(__name__)
PACE_TOLERANCE = 0.9


def _sessions() -> sessionmaker[Session]:
    return session_factory(engine_for(load_settings().database_url))


def apply_some(limit: int | None = None) -> Applied | None:
    """Claim and apply about ``limit`` events (default: the setting) in one transaction;
    None when nothing is pending."""
    with _sessions().begin() as session:
        batch_ids = claim_pending_batches(session, limit or load_settings().events_per_claim)
        if not batch_ids:
            return None
        return apply_batches(session, batch_ids)


@app.task(
    name=APPLY_PENDING, bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None
)
def apply_pending(self: Task) -> int:
    """Apply pending batches for up to ``task_seconds``; hand over to a new task if work remains."""
    settings = load_settings()
    deadline = time.monotonic() + settings.task_seconds
    applied = 0
    try:
        while time.monotonic() < deadline:
            result = apply_some()
            if result is None:
                return applied
            applied += result.batches
            run_queued_consolidations()
            if result.events < settings.events_per_claim // 4:
                # Events arrive faster than a claim's worth: a short pause lets the next
                # claim gather more, so that each claim's fixed cost (a statement per
                # table, some 800 figure cells) is spread over more events.
                time.sleep(settings.claim_pause_seconds)
    except DBAPIError as exc:
        # Deadlock with another worker, database restart…: nothing was committed for the claim.
        log.warning("apply failed, retrying: %s", exc.orig)
        raise self.retry(countdown=1, exc=exc) from None
    notify_pending(load_settings())
    return applied


@app.task(name=CONSOLIDATE, acks_late=True, reject_on_worker_lost=True)
def consolidate(job_id: int) -> int | None:
    """Run consolidation job ``job_id`` (shared.consolidation); a no-op if another runs it."""
    try:
        settings = load_settings()
        return run_job(
            engine_for(settings.database_url), job_id, stale_seconds=settings.stale_seconds
        )
    except LostJob as exc:
        # Another attempt took over while this one was thought dead: its result stands.
        log.warning("%s", exc)
        return None


def run_queued_consolidations() -> list[int]:
    """Run the queued consolidation jobs now, each claimed as its message would claim it (a
    job another worker took first is left to it); the ids of the jobs tried."""
    tried: list[int] = []
    sessions = _sessions()
    while True:
        with sessions() as session:
            job_id = next_queued_job(session)
        if job_id is None or job_id in tried:
            return tried
        tried.append(job_id)
        try:
            consolidate(job_id)
        except Exception:  # marked failed by run_job and logged: the applying goes on
            log.exception("consolidation %s failed", job_id)


def sweep_once(sessions: sessionmaker[Session], settings: Settings) -> tuple[int, list[int]]:
    """Re-notify what waits, so that a lost message never strands work.

    Returns (pending events, consolidation jobs sent again).
    """
    with sessions() as session:
        waiting = pending_events(session)
    if waiting:
        notify_pending(settings)
    # Consolidations whose worker died (or whose message was lost): run them again.
    with sessions.begin() as session:
        stale = stale_jobs(session, settings.stale_seconds)
    for job_id in stale:
        send_consolidation(settings, job_id)
    return waiting, stale


def sweep_forever() -> None:
    sessions = _sessions()
    reminders, retention = HourlyClock(), HourlyClock()
    while True:
        time.sleep(load_settings().sweep_seconds)
        try:
            sweep_once(sessions, load_settings())
        except Exception:
            log.exception("sweep failed")
        try:
            mail_sweep(sessions, load_settings(), reminders)
        except Exception:
            log.exception("mail sweep failed")
        try:
            retention_sweep(sessions, load_settings(), retention)
        except Exception:
            log.exception("retention sweep failed")


def publish_once(sessions: sessionmaker[Session], settings: Settings) -> Published | None:
    """Publish the public edition if it is due and anything changed (one transaction, one
    snapshot); None if not."""
    # Editions a pace apart, give or take the loops' drift: with several workers, the one
    # whose turn comes first publishes, the others find the edition too young.
    pace = settings.publish_seconds * PACE_TOLERANCE
    with sessions.begin() as session:
        snapshot(session)
        return publish(session, settings.public_min_count, pace=pace)


def publish_forever() -> None:
    sessions = _sessions()
    started = time.monotonic()
    while True:
        settings = load_settings()
        # A fixed pace: a publication's own time is part of its period, not added to it.
        time.sleep(max(0.0, started + settings.publish_seconds - time.monotonic()))
        started = time.monotonic()
        try:
            published = publish_once(sessions, settings)
        except DBAPIError as exc:
            # Another publisher's edition committed meanwhile (a serialization failure), or
            # the database is away: nothing was written, the next pace tries again.
            log.warning("public edition not published: %s", exc.orig)
            continue
        except Exception:
            log.exception("public edition not published")
            continue
        if published is not None:
            log.info(
                "public edition %d: %d cells written, %d components, %.3f s",
                published.edition,
                published.cells,
                published.components,
                published.seconds,
            )


@worker_ready.connect
def _start_sweep(**_: object) -> None:
    threading.Thread(target=sweep_forever, name="bilan-sweep", daemon=True).start()
    if load_settings().public_min_count > 0:
        threading.Thread(target=publish_forever, name="bilan-publish", daemon=True).start()
