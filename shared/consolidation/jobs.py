"""The life of a consolidation job: queue, claim, heartbeat, freeze, sweep.

A job row is claimed by a conditional update that bumps its ``attempt``; the
claimant touches ``heartbeat_at`` every few seconds from a thread, and writes
progress, the report version and the final status only while its attempt is
current. The progress is kept in memory and written by the heartbeat, and once when
the snapshot is taken, not by a transaction per step: a small year's job is then a
claim, one snapshot, one touch and the freeze, with no fixed cost beside the work. A
job is sent to the workers when it is created, and a worker busy applying batches runs
a queued job between two claims (``next_queued_job``), so that it never waits for the
end of an apply task. The version is inserted in the very transaction that marks the
job succeeded, so a worker killed mid-job leaves no version; the workers' sweep
re-queues a job whose heartbeat went stale and re-sends it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from typing import Any, cast

import msgspec
from sqlalchemy import CursorResult, Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.config import STALE_SECONDS
from shared.consolidation.snapshot import Snapshot, encode_document, report_document, take_snapshot
from shared.pipeline.recompute import Progress
from shared.retention.closure import YearPurged, check_year_open
from shared.storage.models.base import utcnow
from shared.storage.models.consolidation import Consolidation, Report
from shared.times import PARIS, as_utc

log = logging.getLogger(__name__)

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"
ACTIVE = (QUEUED, RUNNING)
HEARTBEAT_SECONDS = 2.0
FAILURE_MESSAGE = "the consolidation failed; the details are in the worker's log"


class ConsolidationRefused(Exception):
    """A consolidation that may not be started: a code (``year_not_ended``, ``purged_year``)
    and why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def paris_today() -> dt.date:
    """Today in metropolitan France, where the network's years end."""
    return dt.datetime.now(PARIS).date()


def year_has_ended(year: int, today: dt.date | None = None) -> bool:
    """Whether the year is over (SPEC §5): today, in Europe/Paris, is after its 31 December."""
    return (today or paris_today()) > dt.date(year, 12, 31)


def check_year_ended(year: int, today: dt.date | None = None) -> None:
    """Refuse to freeze a year that has not ended: its figures would be a part of a year
    published as the whole (a report "au 31 décembre" on 7 December)."""
    if not year_has_ended(year, today):
        raise ConsolidationRefused(
            "year_not_ended",
            f"{year} has not ended: a year is consolidated from 1 January {year + 1} "
            "(Europe/Paris)",
        )


def start_job(
    session: Session, year: int, today: dt.date | None = None
) -> tuple[Consolidation, bool]:
    """Queue a consolidation of the year, or return the one already queued or running.

    True when a job was created. A year that has not ended, or a purged one, is refused
    (``ConsolidationRefused``). A partial unique index allows one active job per
    year, so two concurrent requests cannot both create one: the loser reads the
    winner's row.
    """
    check_year_ended(year, today)
    try:
        # A purged year's report is final: its log is gone (shared/retention/closure.py).
        check_year_open(session, year)
    except YearPurged as exc:
        raise ConsolidationRefused(exc.code, exc.message) from None
    existing = _active_job(session, year)
    if existing is not None:
        return existing, False
    now = utcnow()
    job = Consolidation(
        year=year, status=QUEUED, progress=0.0, attempt=0, created_at=now, heartbeat_at=now
    )
    try:
        with session.begin_nested():
            session.add(job)
            session.flush()
    except IntegrityError:
        existing = _active_job(session, year)
        if existing is None:
            raise
        return existing, False
    return job, True


def _active_job(session: Session, year: int) -> Consolidation | None:
    return session.scalar(
        select(Consolidation).where(Consolidation.year == year, Consolidation.status.in_(ACTIVE))
    )


def next_queued_job(session: Session) -> int | None:
    """The oldest queued job, if any (a few rows at most: one active job per year)."""
    return session.scalar(
        select(Consolidation.id)
        .where(Consolidation.status == QUEUED)
        .order_by(Consolidation.id)
        .limit(1)
    )


def claim_job(
    engine: Engine, job_id: int, stale_seconds: float = STALE_SECONDS
) -> tuple[int, int] | None:
    """Take the job for this process; (its new attempt number, its year), or None if not
    claimable.

    Claimable: queued, or running with a stale heartbeat (its worker died).
    """
    with Session(engine) as session, session.begin():
        job = session.scalar(
            select(Consolidation).where(Consolidation.id == job_id).with_for_update()
        )
        if job is None:
            return None
        now = utcnow()
        stale = now - as_utc(job.heartbeat_at) > dt.timedelta(seconds=stale_seconds)
        if not (job.status == QUEUED or (job.status == RUNNING and stale)):
            return None
        job.status = RUNNING
        job.attempt += 1
        job.progress = 0.0
        job.started_at = job.started_at or now
        job.heartbeat_at = now
        job.error = None
        return job.attempt, job.year


def _mine(job_id: int, attempt: int) -> Any:
    return (
        (Consolidation.id == job_id)
        & (Consolidation.attempt == attempt)
        & (Consolidation.status == RUNNING)
    )


def _touch(engine: Engine, job_id: int, attempt: int, **values: Any) -> bool:
    with Session(engine) as session, session.begin():
        result = session.execute(
            update(Consolidation)
            .where(_mine(job_id, attempt))
            .values(heartbeat_at=utcnow(), **values)
        )
        return cast(CursorResult[Any], result).rowcount == 1


class _Heartbeat(threading.Thread):
    """Touches the job row every HEARTBEAT_SECONDS while the job runs, with its progress."""

    def __init__(self, engine: Engine, job_id: int, attempt: int) -> None:
        super().__init__(name=f"consolidation-{job_id}-heartbeat", daemon=True)
        self.engine, self.job_id, self.attempt = engine, job_id, attempt
        self.stopped = threading.Event()
        self.progress = 0.0  # set by the job's thread; a float is read and written whole

    def run(self) -> None:
        while not self.stopped.wait(HEARTBEAT_SECONDS):
            try:
                _touch(self.engine, self.job_id, self.attempt, progress=self.progress)
            except Exception:  # a missed beat is retried at the next one
                log.warning("heartbeat of consolidation %s failed", self.job_id, exc_info=True)


class LostJob(RuntimeError):
    """The job was taken over by another attempt (this worker was thought dead)."""


def run_job(
    engine: Engine,
    job_id: int,
    on_progress: Progress | None = None,
    stale_seconds: float = STALE_SECONDS,
) -> int | None:
    """Claim and run a consolidation job; the version written, or None if not claimable."""
    claimed = claim_job(engine, job_id, stale_seconds)
    if claimed is None:
        return None
    attempt, year = claimed
    heartbeat = _Heartbeat(engine, job_id, attempt)

    def progress(value: float) -> None:
        heartbeat.progress = value  # written with the next beat
        if on_progress is not None:
            on_progress(value)

    heartbeat.start()
    try:
        progress(0.02)
        snapshot = take_snapshot(engine, year, progress)
        # Seen before the freeze, which holds the job's row (the heartbeat then waits).
        _touch(engine, job_id, attempt, progress=heartbeat.progress)
        version = freeze(engine, job_id, attempt, year, snapshot)
        if on_progress is not None:
            on_progress(1.0)
        return version
    except LostJob:
        raise
    except Exception:
        log.exception("consolidation %s of %s failed", job_id, year)
        _touch(
            engine,
            job_id,
            attempt,
            status=FAILED,
            # Public (GET /v1/consolidations/{id} needs no token): a plain sentence; the
            # exception, SQL and driver message included, is in the log above.
            error=FAILURE_MESSAGE,
            finished_at=utcnow(),
        )
        raise
    finally:
        heartbeat.stopped.set()


def freeze(engine: Engine, job_id: int, attempt: int, year: int, snapshot: Snapshot) -> int:
    """Write the next version and mark the job succeeded, in one transaction."""
    with Session(engine) as session, session.begin():
        job = session.scalar(select(Consolidation).where(_mine(job_id, attempt)).with_for_update())
        if job is None:
            raise LostJob(f"consolidation {job_id}: attempt {attempt} is no longer current")
        latest = session.scalar(
            select(Report).where(Report.year == year).order_by(Report.version.desc()).limit(1)
        )
        version = 1 if latest is None else latest.version + 1
        previous = None if latest is None else msgspec.json.decode(latest.document)
        now = utcnow()
        document, digest = encode_document(report_document(year, version, now, snapshot, previous))
        session.add(
            Report(
                year=year,
                version=version,
                consolidation_id=job_id,
                consolidated_at=now,
                document=document,
                sha256=digest,
            )
        )
        job.status = SUCCEEDED
        job.progress = 1.0
        job.version = version
        job.finished_at = now
        job.heartbeat_at = now
    return version


def stale_jobs(session: Session, stale_seconds: float = STALE_SECONDS) -> list[int]:
    """Re-queue the jobs whose worker died (or whose message may be lost); their ids.

    Their heartbeat is touched, so that each is re-sent at most once per period.
    """
    limit = utcnow() - dt.timedelta(seconds=stale_seconds)
    jobs = session.scalars(
        select(Consolidation).where(Consolidation.status.in_(ACTIVE)).with_for_update()
    ).all()
    stale = [job for job in jobs if as_utc(job.heartbeat_at) < limit]
    for job in stale:
        job.status = QUEUED
        job.heartbeat_at = utcnow()
    return [job.id for job in stale]


def consolidate(engine: Engine, year: int, on_progress: Progress | None = None) -> int:
    """Run a consolidation of the year in this process (``bilan consolidate``); its version.

    If a worker is already running the year's job, follow it to its end instead.
    """
    with Session(engine) as session, session.begin():
        job, _ = start_job(session, year)
        job_id = job.id
    version = run_job(engine, job_id, on_progress)
    while version is None:
        with Session(engine) as session:
            job = session.get_one(Consolidation, job_id)
            if job.status == SUCCEEDED:
                return int(job.version or 0)
            if job.status == FAILED:
                raise RuntimeError(f"consolidation {job_id} failed: {job.error}")
            if on_progress is not None:
                on_progress(job.progress)
        time.sleep(0.5)
        version = run_job(engine, job_id, on_progress)
    return version
