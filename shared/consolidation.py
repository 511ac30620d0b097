"""Year-end consolidation (SPEC §1.4, §5): recompute, reconcile, merge, freeze.

A job recomputes every event figure of the year from the log (never from the
counters), reads the live counters in the same snapshot, reports where they
differ (never fixing anything), adds the registry and the validated declarations,
and writes an immutable report version with its diff to the previous one.

Recomputing at national scale. The database groups the year's events (minus
retractions and their targets) per (structure, region, youth) into the set of
facts of ``shared.figures.FACTS`` present (a bitmask, ``bit_or`` of each event's
fact bit) and the count of each EVENT_COUNTS fact; the region and national
levels merge those rows (OR of the masks, sum of the counts); each level is then
grouped by mask (*pattern*), which leaves a few hundred rows per scope at most,
and ``figures_of_patterns`` turns them into figures. The SQL is generated from
``fact_of`` over the event schema's types, so the figure rules keep their one
definition in shared/figures.py.

Jobs and failures. A job row is claimed by a conditional update that bumps its
``attempt``; the claimant touches ``heartbeat_at`` every few seconds from a
thread, and writes progress, the report version and the final status only while
its attempt is current. The version is inserted in the very transaction that
marks the job succeeded, so a worker killed mid-job leaves no version; the
workers' sweep re-queues a job whose heartbeat went stale and re-sends it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import msgspec
from sqlalchemy import Connection, Engine, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.declarations import FUNDER_KEYS, FUNDING_KEYS, VALIDATED, active_structures
from shared.events import EVENT_TYPES, EXIT_REASONS, OUTCOME_KINDS
from shared.figures import (
    COUNTED,
    EVENT_COUNTS,
    FACT_INDEX,
    FACTS,
    FIGURE_KEYS,
    fact_of,
    figures_of_patterns,
    with_derived,
)
from shared.models import Consolidation, Declaration, FigureCounts, Report, utcnow
from shared.scopes import NATIONAL, scope_key, year_period

log = logging.getLogger(__name__)

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"
ACTIVE = (QUEUED, RUNNING)
HEARTBEAT_SECONDS = 2.0
# A running job whose heartbeat is older than this lost its worker: it is re-queued.
STALE_SECONDS = 20.0

REGISTRY_KEYS: tuple[str, ...] = ("structures", "missions_locales", "paio")
DECLARATION_KEYS: tuple[str, ...] = (
    "professionals",
    "funding_total",
    "funding_main",
    "funding_specific",
    "funding_managed_funds",
    *(f"funder_share_{key}" for key in FUNDER_KEYS),
    "cost_per_youth",
)
# Every key of SPEC §4, both tables, in the order of the spec.
REPORT_KEYS: tuple[str, ...] = (*FIGURE_KEYS, *REGISTRY_KEYS, *DECLARATION_KEYS)

Progress = Callable[[float], None]
Figures = dict[str, int | float]


# --- recomputation from the log --------------------------------------------------------


def _sql_literal(value: str) -> str:
    assert "'" not in value  # values come from the event schema's literals
    return f"'{value}'"


def _fact_combos() -> list[tuple[str, str | None, str | None, str]]:
    """Every (type, outcome, exit_reason) an event can have, with its fact (from fact_of)."""
    combos = []
    for event_type in EVENT_TYPES:
        if event_type == "retraction":
            continue
        outcomes: Iterable[str | None] = OUTCOME_KINDS if event_type == "outcome" else (None,)
        exits: Iterable[str | None] = EXIT_REASONS if event_type == "civis_exit" else (None,)
        for outcome, exit_reason in itertools.product(outcomes, exits):
            combos.append(
                (event_type, outcome, exit_reason, fact_of(event_type, outcome, exit_reason))
            )
    missing = set(FACTS) - {combo[3] for combo in combos}
    assert not missing, f"no event gives the facts {missing}"
    return combos


def fact_conditions() -> dict[str, str]:
    """For each fact, the SQL condition on an event row ``e`` that gives it."""
    conditions: dict[str, list[str]] = {fact: [] for fact in FACTS}
    for event_type, outcome, exit_reason, fact in _fact_combos():
        condition = f"e.type = {_sql_literal(event_type)}"
        if outcome is not None:
            condition += f" AND e.outcome = {_sql_literal(outcome)}"
        if exit_reason is not None:
            condition += f" AND e.exit_reason = {_sql_literal(exit_reason)}"
        conditions[fact].append(f"({condition})")
    return {fact: " OR ".join(parts) for fact, parts in conditions.items()}


def fact_bit_expression() -> str:
    """SQL giving an event row ``e`` the bit of its fact (``1 << FACTS.index(fact)``).

    One nested CASE on the type, then the outcome or exit reason, evaluated once
    per event: far cheaper at national scale than one condition per fact.
    """
    by_type: dict[str, list[tuple[str | None, str | None, str]]] = {}
    for event_type, outcome, exit_reason, fact in _fact_combos():
        by_type.setdefault(event_type, []).append((outcome, exit_reason, fact))
    branches = []
    for event_type, items in by_type.items():
        if len(items) == 1 and items[0][:2] == (None, None):
            value = str(1 << FACT_INDEX[items[0][2]])
        else:
            column = "e.outcome" if items[0][0] is not None else "e.exit_reason"
            inner = " ".join(
                f"WHEN {_sql_literal(outcome or exit_reason or '')} THEN {1 << FACT_INDEX[fact]}"
                for outcome, exit_reason, fact in items
            )
            value = f"CASE {column} {inner} ELSE 0 END"
        branches.append(f"WHEN {_sql_literal(event_type)} THEN {value}")
    return f"CASE e.type {' '.join(branches)} ELSE 0 END"


@cache
def facts_of_mask(mask: int) -> tuple[int, ...]:
    """The presence (0/1) of each fact of FACTS in a bitmask of facts."""
    return tuple((mask >> i) & 1 for i in range(len(FACTS)))


_COUNTED_FACTS: tuple[str, ...] = tuple(dict.fromkeys(EVENT_COUNTS.values()))
_N = [f"n{i}" for i in range(len(_COUNTED_FACTS))]  # event-count columns
TEMP_TABLE = "consolidation_youths"


def _youths_statement(year: int) -> str:
    """Per (structure, region, youth) of the year: the bitmask of its facts, counts of some."""
    conditions = fact_conditions()
    counts = [
        f"SUM(CASE WHEN {conditions[fact]} THEN 1 ELSE 0 END) AS {column}"
        for fact, column in zip(_COUNTED_FACTS, _N, strict=True)
    ]
    int(year)  # inlined below: CREATE TABLE AS takes no bound parameters on every driver
    return (
        f"CREATE TEMPORARY TABLE {TEMP_TABLE} AS "
        f"SELECT e.structure_id AS structure_id, e.region AS region, e.youth_id AS youth_id, "
        f"bit_or({fact_bit_expression()}) AS mask, {', '.join(counts)} "
        f"FROM events e "
        f"WHERE e.occurred_on >= '{year:04d}-01-01' AND e.occurred_on <= '{year:04d}-12-31' "
        f"AND e.type <> 'retraction' "
        # A retraction removes its target whatever the arrival order (SPEC §3.2); the few
        # retracted ids make a hashed subplan, the index ix_events_retracts finds them.
        f"AND e.event_id NOT IN (SELECT r.retracts FROM events r WHERE r.retracts IS NOT NULL) "
        f"GROUP BY e.structure_id, e.region, e.youth_id"
    )


def _patterns_statement(level: str) -> str:
    """Youths of each scope of a level, grouped by the bitmask of their facts."""
    counts = ", ".join(_N)
    if level == "structure":
        source = f"SELECT structure_id AS scope_id, mask, {counts} FROM {TEMP_TABLE}"
    else:
        # A youth met by several structures of a scope: facts present in any, counts added.
        merged = ", ".join(["bit_or(mask) AS mask"] + [f"SUM({n}) AS {n}" for n in _N])
        if level == "region":
            source = (
                f"SELECT region AS scope_id, youth_id, {merged} FROM {TEMP_TABLE} "
                f"GROUP BY region, youth_id"
            )
        else:
            source = (
                f"SELECT '' AS scope_id, youth_id, {merged} FROM {TEMP_TABLE} GROUP BY youth_id"
            )
    sums = ", ".join(f"SUM({n})" for n in _N)
    return f"SELECT scope_id, mask, COUNT(*), {sums} FROM ({source}) youths GROUP BY scope_id, mask"


def _scope_of(level: str, scope_id: str) -> str:
    return NATIONAL if level == "national" else scope_key(level, scope_id)  # type: ignore[arg-type]


class _BitOr:
    """``bit_or`` for SQLite, which has no such aggregate (PostgreSQL has it built in)."""

    def __init__(self) -> None:
        self.value = 0

    def step(self, value: int | None) -> None:
        if value is not None:
            self.value |= value

    def finalize(self) -> int:
        return self.value


def _prepare(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.connection.driver_connection.create_aggregate("bit_or", 1, _BitOr)
    else:
        # Hash aggregates of a national year in memory rather than in spill files; local
        # to the snapshot transaction.
        connection.execute(text("SET LOCAL work_mem = '256MB'"))


def recompute_year(
    connection: Connection, year: int, progress: Progress | None = None
) -> dict[str, dict[str, int]]:
    """COUNTED totals of every scope (national, each region, each structure) of the year.

    Runs in the caller's transaction, whose snapshot it reads.
    """
    report = progress or (lambda _: None)
    _prepare(connection)
    connection.execute(text(f"DROP TABLE IF EXISTS {TEMP_TABLE}"))
    connection.execute(text(_youths_statement(year)))
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"ANALYZE {TEMP_TABLE}"))
    report(0.55)
    result: dict[str, dict[str, int]] = {}
    for level, done in (("structure", 0.65), ("region", 0.75), ("national", 0.85)):
        patterns: dict[str, list[tuple[tuple[int, ...], int, dict[str, int]]]] = {}
        for row in connection.execute(text(_patterns_statement(level))):
            counts = {
                fact: int(value or 0) for fact, value in zip(_COUNTED_FACTS, row[3:], strict=True)
            }
            patterns.setdefault(_scope_of(level, row[0]), []).append(
                (facts_of_mask(int(row[1])), int(row[2]), counts)
            )
        for scope, items in patterns.items():
            result[scope] = figures_of_patterns(items)
        report(done)
    connection.execute(text(f"DROP TABLE {TEMP_TABLE}"))
    return result


def read_live_year(connection: Connection, year: int) -> dict[str, dict[str, int]]:
    """The live counters of every scope of the year."""
    rows = connection.execute(
        select(FigureCounts.scope, *(FigureCounts.__table__.c[k] for k in COUNTED)).where(
            FigureCounts.period == year_period(year)
        )
    )
    return {row[0]: dict(zip(COUNTED, (int(v) for v in row[1:]), strict=True)) for row in rows}


def reconcile(
    live: Mapping[str, Mapping[str, int]], recomputed: Mapping[str, Mapping[str, int]]
) -> dict[str, dict[str, dict[str, int | float]]]:
    """Every (scope, figure) where the counters and the log disagree; absent scopes count 0."""
    differences: dict[str, dict[str, dict[str, int | float]]] = {}
    for scope in sorted(set(live) | set(recomputed), key=_scope_order):
        a = with_derived(live.get(scope, {}))
        b = with_derived(recomputed.get(scope, {}))
        changed = {k: {"live": a[k], "recomputed": b[k]} for k in FIGURE_KEYS if a[k] != b[k]}
        if changed:
            differences[scope] = changed
    return differences


def _scope_order(scope: str) -> tuple[int, str]:
    return ({"national": 0, "region": 1, "structure": 2}[scope.partition(":")[0]], scope)


# --- registry and declarations -----------------------------------------------------------


def registry_figures(session: Session, year: int) -> dict[str, int]:
    """Structures of the registry active in the year, by kind."""
    structures = active_structures(session, year)
    return {
        "structures": len(structures),
        "missions_locales": sum(1 for s in structures if s.kind == "mission_locale"),
        "paio": sum(1 for s in structures if s.kind == "paio"),
    }


def declaration_figures(session: Session, year: int, youths_interviewed: int) -> Figures:
    """Staff and funding from the year's validated declarations."""
    columns = ["professionals"]
    columns += [f"funding_{k}" for k in FUNDING_KEYS] + [f"funder_{k}" for k in FUNDER_KEYS]
    table = Declaration.__table__
    row = session.execute(
        select(*(func.coalesce(func.sum(table.c[c]), 0) for c in columns)).where(
            Declaration.year == year, Declaration.status == VALIDATED
        )
    ).one()
    sums = {c: int(v) for c, v in zip(columns, row, strict=True)}
    return merge_declarations(sums, youths_interviewed)


def merge_declarations(sums: Mapping[str, int], youths_interviewed: int) -> Figures:
    """The declaration figures of SPEC §4 from the summed columns of the declarations."""
    total = sum(sums[f"funding_{k}"] for k in FUNDING_KEYS)
    funders = sum(sums[f"funder_{k}"] for k in FUNDER_KEYS)
    figures: Figures = {
        "professionals": sums["professionals"],
        "funding_total": total,
        **{f"funding_{k}": sums[f"funding_{k}"] for k in FUNDING_KEYS},
    }
    for key in FUNDER_KEYS:
        figures[f"funder_share_{key}"] = sums[f"funder_{key}"] / funders if funders else 0.0
    # Rounded half up, in integers: no float on the way for totals of hundreds of millions.
    figures["cost_per_youth"] = (
        (2 * total + youths_interviewed) // (2 * youths_interviewed) if youths_interviewed else 0
    )
    return figures


def validated_count(session: Session, year: int) -> int:
    return int(
        session.scalar(
            select(func.count()).where(Declaration.year == year, Declaration.status == VALIDATED)
        )
        or 0
    )


# --- the snapshot and the frozen document ----------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """What one consistent read of the database gives for a year."""

    figures: Figures
    live: Figures
    recomputed: Figures
    differences: dict[str, dict[str, dict[str, int | float]]]
    completeness: dict[str, int]


def take_snapshot(engine: Engine, year: int, progress: Progress | None = None) -> Snapshot:
    """Recompute and reconcile the year in one snapshot (REPEATABLE READ on PostgreSQL)."""
    report = progress or (lambda _: None)
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        else:
            # SQLite in WAL mode: a read transaction sees one snapshot, without the write lock.
            connection = connection.execution_options(readonly=True)
        with connection.begin():
            # Counters first then the log, in one snapshot: both see the same events.
            live = read_live_year(connection, year)
            report(0.1)
            recomputed = recompute_year(connection, year, report)
            session = Session(bind=connection)
            national = with_derived(recomputed.get(NATIONAL, {}))
            registry = registry_figures(session, year)
            declared = declaration_figures(session, year, int(national["youths_interviewed"]))
            completeness = {
                "structures": registry["structures"],
                "declarations_validated": validated_count(session, year),
            }
            session.close()
    report(0.9)
    figures: Figures = {**national, **registry, **declared}
    return Snapshot(
        figures={key: figures[key] for key in REPORT_KEYS},
        live=with_derived(live.get(NATIONAL, {})),
        recomputed=national,
        differences=reconcile(live, recomputed),
        completeness=completeness,
    )


def figures_diff(previous: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """For each key whose value changed: ``{"previous": x, "current": y}``."""
    return {
        key: {"previous": previous.get(key), "current": current.get(key)}
        for key in current
        if previous.get(key) != current.get(key)
    }


def report_document(
    year: int,
    version: int,
    consolidated_at: dt.datetime,
    snapshot: Snapshot,
    previous: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The frozen report of SPEC §5."""
    return {
        "year": year,
        "version": version,
        "consolidated_at": consolidated_at.astimezone(dt.UTC).isoformat(),
        "figures": snapshot.figures,
        "reconciliation": {
            "live": snapshot.live,
            "recomputed": snapshot.recomputed,
            "differences": snapshot.differences,
        },
        "completeness": snapshot.completeness,
        "previous_version_diff": (
            None if previous is None else figures_diff(previous["figures"], snapshot.figures)
        ),
    }


def encode_document(document: Mapping[str, Any]) -> tuple[str, str]:
    """The exact JSON text that is stored and served, and its SHA-256."""
    data = msgspec.json.encode(document)
    return data.decode(), hashlib.sha256(data).hexdigest()


# --- jobs ----------------------------------------------------------------------------------


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite gives back naive datetimes; every time written here is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def start_job(session: Session, year: int) -> tuple[Consolidation, bool]:
    """Queue a consolidation of the year, or return the one already queued or running.

    True when a job was created. A partial unique index allows one active job per
    year, so two concurrent requests cannot both create one: the loser reads the
    winner's row.
    """
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


def claim_job(engine: Engine, job_id: int, stale_seconds: float = STALE_SECONDS) -> int | None:
    """Take the job for this process; its new attempt number, or None if not claimable.

    Claimable: queued, or running with a stale heartbeat (its worker died).
    """
    with Session(engine) as session, session.begin():
        job = session.scalar(
            select(Consolidation).where(Consolidation.id == job_id).with_for_update()
        )
        if job is None:
            return None
        now = utcnow()
        stale = now - _aware(job.heartbeat_at) > dt.timedelta(seconds=stale_seconds)
        if not (job.status == QUEUED or (job.status == RUNNING and stale)):
            return None
        job.status = RUNNING
        job.attempt += 1
        job.progress = 0.0
        job.started_at = job.started_at or now
        job.heartbeat_at = now
        job.error = None
        return job.attempt


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
        return result.rowcount == 1


class _Heartbeat(threading.Thread):
    """Touches the job row every HEARTBEAT_SECONDS while the job runs."""

    def __init__(self, engine: Engine, job_id: int, attempt: int) -> None:
        super().__init__(name=f"consolidation-{job_id}-heartbeat", daemon=True)
        self.engine, self.job_id, self.attempt = engine, job_id, attempt
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(HEARTBEAT_SECONDS):
            try:
                _touch(self.engine, self.job_id, self.attempt)
            except Exception:  # noqa: BLE001 - a missed beat is retried at the next one
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
    attempt = claim_job(engine, job_id, stale_seconds)
    if attempt is None:
        return None
    with Session(engine) as session:
        year = session.get_one(Consolidation, job_id).year

    def progress(value: float) -> None:
        _touch(engine, job_id, attempt, progress=value)
        if on_progress is not None:
            on_progress(value)

    heartbeat = _Heartbeat(engine, job_id, attempt)
    heartbeat.start()
    try:
        progress(0.02)
        snapshot = take_snapshot(engine, year, progress)
        version = freeze(engine, job_id, attempt, year, snapshot)
        if on_progress is not None:
            on_progress(1.0)
        return version
    except LostJob:
        raise
    except Exception as exc:
        log.exception("consolidation %s of %s failed", job_id, year)
        _touch(
            engine,
            job_id,
            attempt,
            status=FAILED,
            error=f"{exc.__class__.__name__}: {exc}"[:2000],
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
    stale = [job for job in jobs if _aware(job.heartbeat_at) < limit]
    for job in stale:
        job.status = QUEUED
        job.heartbeat_at = utcnow()
    return [job.id for job in stale]


def job_document(job: Consolidation) -> dict[str, Any]:
    return {
        "id": job.id,
        "year": job.year,
        "status": job.status,
        "progress": job.progress,
        "version": job.version,
        "error": job.error,
    }


def read_report(session: Session, year: int, version: int | None = None) -> Report | None:
    statement = select(Report).where(Report.year == year)
    if version is None:
        statement = statement.order_by(Report.version.desc()).limit(1)
    else:
        statement = statement.where(Report.version == version)
    return session.scalar(statement)


def report_versions(session: Session, year: int) -> list[tuple[int, dt.datetime]]:
    rows = session.execute(
        select(Report.version, Report.consolidated_at)
        .where(Report.year == year)
        .order_by(Report.version)
    )
    return [(int(v), _aware(at)) for v, at in rows]


def consolidate(engine: Engine, year: int, on_progress: Progress | None = None) -> int:
    """Run a consolidation of the year in this process (``bilan consolidate``); its version.

    If a worker is already running the year's job, follow it to its end instead.
    """
    import time

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
