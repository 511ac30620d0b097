"""One consistent read of a year (live counters and the log), and the frozen document.

The counters are read first, then the log is recomputed (the nation's profile rows too,
SPEC §4.2: the report's ``profiles``), in one REPEATABLE READ snapshot: both see the same
events, so every difference reported is real. The differences are reported per scope, never
fixed. The same snapshot reads the validated
declarations, and the recomputation counts the youths of their structures (the
denominator of ``cost_per_youth``, shared/declarations/figures.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.orm import Session

from shared.declarations.figures import declaration_figures, validated_structures
from shared.figures import COUNTED, FIGURE_KEYS, with_derived
from shared.pipeline.profile_recompute import national_profiles, recompute_profiles
from shared.pipeline.recompute import Progress, group_scope, recompute_year, refresh_statistics
from shared.pipeline.recompute_sql import TEMP_TABLE
from shared.registry import registry_figures
from shared.report.keys import REPORT_KEYS
from shared.retention.closure import YearPurged, closed_through
from shared.scopes import NATIONAL, year_period
from shared.storage.db import snapshot_read
from shared.storage.models.counters import FigureCounts

Figures = dict[str, int | float | None]
# The group of structures whose declaration is validated (shared/pipeline/recompute.py).
DECLARING = "declaring"


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


@dataclass(frozen=True)
class Snapshot:
    """What one consistent read of the database gives for a year."""

    figures: Figures
    live: dict[str, int | float]
    recomputed: dict[str, int | float]
    differences: dict[str, dict[str, dict[str, int | float]]]
    completeness: dict[str, int]
    profiles: dict[str, dict[str, dict[str, int | float]]]


def take_snapshot(engine: Engine, year: int, progress: Progress | None = None) -> Snapshot:
    """Recompute and reconcile the year in one snapshot (REPEATABLE READ on PostgreSQL)."""
    report = progress or (lambda _: None)
    refresh_statistics(engine)
    with snapshot_read(engine) as connection:
        session = Session(bind=connection)
        # A year closed by a purge before this snapshot may have lost its log in it (a job
        # queued before the purge): refuse. One closed after it keeps its log in the snapshot.
        through = closed_through(session, writer=False)
        if through is not None and year <= through:
            raise YearPurged(year)
        # Counters first then the log, in one snapshot: both see the same events.
        live = read_live_year(connection, year)
        # The field of the funding figures: their youths come from the same log read.
        declaring = validated_structures(session, year)
        report(0.1)
        cells = recompute_year(
            connection,
            year,
            progress=lambda p: report(0.1 + 0.8 * p),
            groups={DECLARING: declaring},
            keep_youths=True,
        )
        profiles = national_profiles(
            recompute_profiles(connection, year, national_only=True, youths_table=TEMP_TABLE), year
        )
        connection.execute(text(f"DROP TABLE {TEMP_TABLE}"))
        field = cells.pop((year_period(year), group_scope(DECLARING)), {})
        recomputed = {scope: figures for (_, scope), figures in cells.items()}
        national = with_derived(recomputed.get(NATIONAL, {}))
        registry = registry_figures(session, year)
        interviewed = int(field.get("youths_interviewed", 0))
        declared = declaration_figures(session, year, interviewed)
        completeness = {
            "structures": registry["structures"],
            "declarations_validated": len(declaring),
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
        profiles=profiles,
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
        "profiles": snapshot.profiles,
    }


def encode_document(document: Mapping[str, Any]) -> tuple[str, str]:
    """The exact JSON text that is stored and served, and its SHA-256."""
    data = msgspec.json.encode(document)
    return data.decode(), hashlib.sha256(data).hexdigest()
