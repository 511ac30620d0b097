"""The anonymous edition of the live figures: published at a fixed pace, never recomputed per
request.

With statistical confidentiality on (``BILAN_PUBLIC_MIN_COUNT`` = k > 0), what a reader without
a token sees is an *edition*: the cells of the live counters taken in one snapshot, each with
the keys withheld from it (shared/publication/confidentiality.py), written to ``published_cells``
together
with the edition's row (``public_editions``: its id, its time) in one transaction. The workers
publish (``publish``) at most once every ``BILAN_PUBLISH_SECONDS``, and only when something
changed; every web process reads an answer from the published cells by primary key, as it reads
exact ones, and serves it under the edition's validator. The exact readers (tokens, the signed-in)
read the live counters as before; with k = 0 nothing is published and nothing changes.

**What an edition holds.** The cells of the kinds the rule knows (``published_kind``,
shared/publication/published_cells.py, which reads and writes them): the year cells of the
nation, the regions and the structures, the month cells of the nation and the regions, and the
twelve increments of their years to date — a key published there only when no month of the
year withholds it (``to_date_masks``). A cell of another kind (a structure's months or year to
date) is not in it, and an answer without a token withholds it whole.

**Incremental.** A publication compares the live counters with the published cells (one
statement) and protects anew only the components of the cells that changed — a year's months
for a changed month cell or a national or regional year cell (the months' totals), a region's
structures of a year for a changed structure or region year cell — then writes only the cells
whose values or withheld keys differ. The whole is protected anew when the threshold or the
registry (which structures make a region) changed, or for the first edition.

**Which events an edition holds.** The publication marks the batches applied in its snapshot
(``batches.published_in``): the events a public answer lacks are exactly the pending ones and
those of the applied batches not marked yet, both read from partial indexes, in the answer's own
snapshot (``edition_state``). So a public answer's ``pending_events`` is exact (SPEC §5), and
grows while no edition is published (workers stopped).

**Consistency.** A publication reads one snapshot (REPEATABLE READ on PostgreSQL, the write
transaction on SQLite), withholds from that snapshot's values only, and commits the cells with
the edition: an edition's withheld keys are the suppression of its own values, never of newer
ones. Publishers exclude each other (an advisory lock on PostgreSQL, the write lock on SQLite);
two that overlapped anyway would have the later fail on a serialization error, nothing written.

**What the pace does.** Between two editions a reader sees one state, however many events
arrived: watching a small cell, he sees it move by the sum of a pace's events, not event by
event. It does not hide a change when a single event arrives during a pace (a quiet night), nor
what two editions tell apart: each edition is protected on its own, not against the ones before
it (docs/architecture.md, "Statistical confidentiality and the public edition").
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, delete, func, select, update
from sqlalchemy.orm import Session

from shared.pipeline.checkpoints import reached
from shared.profiles import DIMENSIONS
from shared.publication.components import Component, months, profiles, structures
from shared.publication.confidentiality import to_date_withheld, withhold
from shared.publication.published_cells import (
    changed_cells,
    keys_of,
    mask_of,
    read_live_cells,
    write_cells,
)
from shared.publication.published_profiles import (
    changed_profile_years,
    column_of,
    read_live_profiles,
    write_profile_cells,
)
from shared.regions import REGIONS
from shared.scopes import NATIONAL, Cell, increment_periods, month_periods, scope_key
from shared.storage.bulk import is_postgres
from shared.storage.models.counters import FigureCounts
from shared.storage.models.log import Batch
from shared.storage.models.publication import PublicEdition
from shared.storage.models.registry import Structure

REGION_SCOPES: tuple[str, ...] = tuple(scope_key("region", code) for code in REGIONS)
# Editions kept in public_editions (the latest is the one served; the others, a short history).
KEPT_EDITIONS = 1000
# Any number, the same in every process: the publishers' advisory lock on PostgreSQL.
_LOCK = 0x62696C616E


@dataclass(frozen=True)
class EditionState:
    """The latest edition as an answer reads it: its id, time and threshold; the events it does
    not hold (pending, or applied since); the registry's version (names and lists of an answer
    come from it)."""

    edition: int
    published_at: dt.datetime
    min_count: int
    pending_events: int
    registry: str

    @property
    def edition_token(self) -> str:
        """The edition as text, for a validator: what an answer without its pending count
        depends on (the edition, its threshold, the registry)."""
        return f"edition {self.edition}|{self.min_count}|{self.registry}"

    @property
    def token(self) -> str:
        """The state as text, for the validator of an answer that shows its pending count."""
        return f"{self.edition_token}|{self.pending_events}"


def _registry_token(count: int, updated: dt.datetime | None) -> str:
    return f"{count}|{'' if updated is None else updated.isoformat()}"


_NOT_IN_EDITION = (
    select(func.coalesce(func.sum(Batch.event_count), 0))
    .where(Batch.applied_at.is_not(None), Batch.published_in.is_(None))
    .scalar_subquery()
)
_PENDING = (
    select(func.coalesce(func.sum(Batch.event_count), 0))
    .where(Batch.applied_at.is_(None))
    .scalar_subquery()
)
_REGISTRY = (
    select(func.count()).select_from(Structure).scalar_subquery(),
    select(func.max(Structure.updated_at)).scalar_subquery(),
)
# Built once: composing it costs more than running it.
_STATE = (
    select(
        PublicEdition.id,
        PublicEdition.published_at,
        PublicEdition.min_count,
        _PENDING,
        _NOT_IN_EDITION,
        *_REGISTRY,
    )
    .order_by(PublicEdition.id.desc())
    .limit(1)
)


def edition_state(bind: Session | Connection) -> EditionState | None:
    """The latest edition and what it lacks, in one statement of indexed reads; None before
    the first."""
    row = bind.execute(_STATE).first()
    if row is None:
        return None
    published_at = row[1] if row[1].tzinfo else row[1].replace(tzinfo=dt.UTC)
    pending = int(row[3] or 0) + int(row[4] or 0)
    return EditionState(row[0], published_at, row[2], pending, _registry_token(row[5], row[6]))


@dataclass(frozen=True)
class Published:
    """What a publication did."""

    edition: int
    published_at: dt.datetime
    cells: int
    components: int
    exposed: int
    seconds: float


def publish(
    session: Session, min_count: int, pace: float = 0.0, now: dt.datetime | None = None
) -> Published | None:
    """Publish a new edition in ``session``'s transaction, if anything changed since the latest
    (or it has another threshold) and it is at least ``pace`` seconds old; None otherwise, or
    when another publisher is at it. The caller commits, in one snapshot (``snapshot``)."""
    if min_count <= 0:
        return None
    started = time.perf_counter()
    now = now or dt.datetime.now(dt.UTC)
    if is_postgres(session) and not session.scalar(select(func.pg_try_advisory_xact_lock(_LOCK))):
        return None
    latest = session.execute(
        select(PublicEdition.published_at, PublicEdition.min_count, PublicEdition.registry_version)
        .order_by(PublicEdition.id.desc())
        .limit(1)
    ).first()
    registry_row = session.execute(select(*_REGISTRY)).one()
    registry = _registry_token(registry_row[0], registry_row[1])
    if latest is not None and latest.min_count == min_count:
        published_at = latest.published_at
        if published_at.tzinfo is None:
            published_at = published_at.replace(tzinfo=dt.UTC)
        if (now - published_at).total_seconds() < pace:
            return None
        whole = False
        restructured = latest.registry_version != registry
    else:
        whole = restructured = True
    changed = changed_cells(session)
    profile_years = changed_profile_years(session)
    unmarked = session.scalar(select(_NOT_IN_EDITION))
    if not (whole or restructured or changed or profile_years or unmarked):
        return None

    members = _members(session)
    if whole:
        month_years, structure_components = _every_component(session, members)
    else:
        month_years, structure_components = _components_of(changed, members)
        if restructured:  # the regions' structures changed: every year's are protected anew
            structure_components |= _every_component(session, members)[1]
    # A year's profile tables have the nation's and the regions' year cells as their totals,
    # as its months have: protected anew whenever those or a profile cell changed.
    profile_years |= month_years
    years = sorted(month_years | profile_years | {year for year, _ in structure_components})
    periods = [
        *years,
        *(month for year in month_years for month in month_periods(int(year))),
        *(step for year in month_years for step in increment_periods(int(year))),
    ]
    values = read_live_cells(session, periods)
    reached("publish:read")
    components = [
        months(year, month_periods(int(year)), REGION_SCOPES, values)
        for year in sorted(month_years)
    ]
    components += [
        structures(
            (year, scope_key("region", region)),
            [(year, scope_key("structure", sid)) for sid in members.get(region, ())],
            values,
        )
        for year, region in sorted(structure_components)
    ]
    masks: dict[Cell, int] = {}
    exposed = 0
    for component in components:
        result = withhold(component, min_count)
        exposed += len(result.exposed)
        for cell in _cells_of(component):
            masks[cell] = mask_of(result.keys(cell))
    profile_values = read_live_profiles(session, profile_years)
    tables = _profile_components(sorted(profile_years), {**values, **profile_values})
    profile_masks: dict[Cell, int] = {}
    for component in tables:
        result = withhold(component, min_count)
        exposed += len(result.exposed)
        for cell in component.protected:
            profile_masks[cell] = mask_of(result.keys(cell))
    components += tables
    for year in month_years:
        masks.update(to_date_masks(year, masks))
    for cell in changed:
        masks.setdefault(cell, 0)  # a national year cell: in no component, always published

    edition = PublicEdition(
        published_at=now,
        min_count=min_count,
        registry_version=registry,
        cells=0,
        components=len(components),
        seconds=0.0,
    )
    session.add(edition)
    session.flush()
    written = write_cells(session, edition.id, masks, {**values, **changed})
    written += write_profile_cells(session, edition.id, profile_masks, profile_values)
    session.execute(
        update(Batch)
        .where(Batch.applied_at.is_not(None), Batch.published_in.is_(None))
        .values(published_in=edition.id)
    )
    session.execute(delete(PublicEdition).where(PublicEdition.id <= edition.id - KEPT_EDITIONS))
    seconds = time.perf_counter() - started
    edition.cells, edition.seconds = written, seconds
    session.flush()
    return Published(edition.id, now, written, len(components), exposed, seconds)


def to_date_masks(year: str, masks: Mapping[Cell, int]) -> dict[Cell, int]:
    """The withheld masks of a year's increments of the year to date, nationally and in each
    region, from its months' (``masks``, the months component just protected): a key
    withheld in any month of the year is withheld from every increment, the others published
    (shared/publication/confidentiality.py ``to_date_withheld`` says why that is safe)."""
    periods = month_periods(int(year))
    scopes = (NATIONAL, *REGION_SCOPES)
    keys = to_date_withheld(
        keys_of(masks.get((period, scope), 0)) for period in periods for scope in scopes
    )
    mask = mask_of(keys)
    return {(step, scope): mask for step in increment_periods(int(year)) for scope in scopes}


def snapshot(session: Session) -> None:
    """Make the session's transaction, not begun yet, read one snapshot (PostgreSQL: REPEATABLE
    READ; SQLite's transactions already do)."""
    if is_postgres(session):
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def _profile_components(
    years: Iterable[str], values: Mapping[Cell, Mapping[str, int]]
) -> list[Component]:
    """Each year's profile tables, one per dimension: its categories nationally and in each
    region, the year cells their rows' totals."""
    return [
        profiles(
            year,
            [column_of(year, dimension, category) for category in categories],
            REGION_SCOPES,
            values,
        )
        for year in years
        for dimension, categories in DIMENSIONS.items()
    ]


def _members(session: Session) -> dict[str, list[str]]:
    """Each region's structures in the registry, in id order."""
    members: dict[str, list[str]] = {}
    rows = session.execute(
        select(Structure.region, Structure.structure_id).order_by(Structure.structure_id)
    )
    for region, structure_id in rows:
        members.setdefault(region, []).append(structure_id)
    return members


def _every_component(
    session: Session, members: Mapping[str, list[str]]
) -> tuple[set[str], set[tuple[str, str]]]:
    """Every year with live cells: its months, and each region's structures."""
    years = {period[:4] for period in session.scalars(select(FigureCounts.period).distinct())}
    return years, {(year, region) for year in years for region in members}


def _components_of(
    changed: Iterable[Cell], members: Mapping[str, list[str]]
) -> tuple[set[str], set[tuple[str, str]]]:
    """The components the changed cells are in: years whose months, (year, region) pairs whose
    structures are protected anew."""
    region_of = {sid: region for region, ids in members.items() for sid in ids}
    month_years: set[str] = set()
    structure_components: set[tuple[str, str]] = set()
    for period, scope in changed:
        year = period[:4]
        kind, _, key = scope.partition(":")
        if len(period) == 7 or kind in ("national", "region"):
            month_years.add(year)  # a month or its increment to date, or a total of the months
        if len(period) == 4 and kind == "region":
            structure_components.add((year, key))
        elif kind == "structure" and key in region_of:
            structure_components.add((year, region_of[key]))
    return month_years, structure_components


def _cells_of(component: Component) -> set[Cell]:
    """A component's cells: the protected ones and their totals."""
    return {*component.protected, *(group.total for group in component.groups)}
