"""The live counters: applying recorded batches exactly once, and reading figures.

State. ``youth_state`` holds, per (year, youth), the codes of the youth's events
of that year that count (shared/codes.py); ``figure_counts`` holds, per (period,
scope), the COUNTED figures, which are the sum over youths of
``shared.figures.youth_figures`` of their facts in that cell. A batch is *applied*
when ``batches.applied_at`` is set.

Invariant, true at every commit (so in every snapshot a reader takes):

    (I) a recorded event E other than a retraction is among the codes of
        youth_state[year(E), youth(E)]  ⇔  batch(E) is applied and no retraction
        of an applied batch retracts E (shared.retractions.retracts);
    (C) figure_counts = Σ over youth_state rows of each youth's figures.

At every moment, then, the counters are the figures of SPEC §4 over the applied
batches; with nothing pending, over the whole log (SPEC §7.3). ``bilan verify``
checks exactly this statement, in one snapshot, while ingest and workers run.

The protocol. A claim of batches B is applied in one transaction T:

1. read B's events (immutable once recorded: no lock needed);
2. **lock** the youth_state row of every (year, youth) of B's events —
   retractions included — in one statement, in key order, creating missing rows,
   and append the codes of B's events (optimistically counted);
3. **after the lock**, look up what decides (I): the retractions that aim at B's
   events, from B or from applied batches; the targets of B's retractions, whether
   their batch is applied and whether an applied retraction already retracts them;
4. take out the codes (I) says must not count (B's events retracted; targets of
   B's retractions that counted until now), move figure_counts by the difference
   of each touched youth's figures before and after (C), mark B applied; commit.

Why every interleaving of {record E, record R, apply batch(E), apply batch(R)}
ends right (R retracting E, in any order, in one claim or two, resent or not):
whether E counts changes only when batch(E) or a batch holding a retraction of E
is applied. A retraction R retracts E only if it carries E's occurred_on and
youth_id, so R's (year, youth) is E's: both appliers lock the same youth_state
row in step 2 and are serialized on it. Whichever takes the lock second reads, in
step 3, a snapshot taken after the first one committed (READ COMMITTED: each
statement sees every commit before it began), so it sees the first one's batch
applied; the first one could not see the second's batch applied, and needed not:
(I) held for it at its commit. In one claim, step 3 reads B's own events. A
resend records nothing new (a duplicate), and a redelivered task finds its
batches applied (the claim locks them with SKIP LOCKED and the mark commits with
the counters). Nothing here depends on a lock taken under a filter or on which
version of a row a statement sees: each decision is read after the one lock that
orders it.

No deadlock: a transaction waits only in step 2 (one statement locking rows in
key order) and when it upserts figure_counts (one statement, in key order, after
every youth_state lock). Claims skip locked batches instead of waiting.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import func, select, text, tuple_, update
from sqlalchemy.orm import Session

from shared.bulk import bulk_upsert, is_postgres, member_of
from shared.checkpoints import reached
from shared.codes import Moves, encode
from shared.db import driver_connection, upsert
from shared.figures import COUNTED, fact_of, with_derived
from shared.models import (
    Batch,
    EventRow,
    FigureCounts,
    RetractionRow,
    StructureNumber,
    YouthState,
    table_of,
)
from shared.retractions import retracts

CHUNK = 5000
Cell = tuple[str, str]  # (period, scope)
Key = tuple[int, str]  # (year, youth_id): one youth_state row


@dataclass(frozen=True)
class Applied:
    batches: int
    events: int
    counted: int
    uncounted: int


def claim_pending_batches(session: Session, max_events: int) -> list[str]:
    """Lock unapplied batches, oldest first, about ``max_events`` events in all (at least
    one batch), skipping those another worker holds."""
    claimed: list[str] = []
    events, limit = 0, 1
    while events < max_events:
        statement = select(Batch.batch_id, Batch.event_count).where(Batch.applied_at.is_(None))
        if claimed:
            # SKIP LOCKED does not skip the rows this transaction holds itself.
            statement = statement.where(Batch.batch_id.not_in(claimed))
        rows = session.execute(
            statement.order_by(Batch.received_at).limit(limit).with_for_update(skip_locked=True)
        ).all()
        if not rows:
            break
        for batch_id, count in rows:
            claimed.append(batch_id)
            events += count
        limit = max(1, (max_events - events) * len(claimed) // max(events, 1))
    return claimed


def pending_events(session: Session) -> int:
    """Events recorded but not yet applied to the counters (all years)."""
    return int(
        session.scalar(
            select(func.coalesce(func.sum(Batch.event_count), 0)).where(Batch.applied_at.is_(None))
        )
        or 0
    )


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


class _Event(NamedTuple):
    """What applying reads of an event."""

    event_id: str
    type: str
    occurred_on: dt.date
    structure_id: str
    region: str
    youth_id: str
    outcome: str | None
    exit_reason: str | None
    retracts: str | None


_EVENTS = table_of(EventRow)
_EVENT_COLUMNS = tuple(_EVENTS.c[name] for name in _Event._fields)


def _claimed_events(session: Session, batch_ids: Sequence[str]) -> list[_Event]:
    """The events of these batches."""
    if is_postgres(session):
        # Straight from the driver: a claim is tens of thousands of rows.
        sql = f"SELECT {', '.join(_Event._fields)} FROM events WHERE batch_id = ANY(%s)"
        with driver_connection(session).cursor(binary=True) as cursor:
            cursor.execute(sql, (list(batch_ids),))
            return [_Event._make(row) for row in cursor.fetchall()]
    return [
        _Event._make(row)
        for chunk in _chunks(batch_ids)
        for row in session.execute(
            select(*_EVENT_COLUMNS).where(_EVENTS.c.batch_id.in_(list(chunk)))
        )
    ]


def _key(event: Any) -> Key:
    return (event.occurred_on.year, event.youth_id)


def apply_batches(session: Session, batch_ids: Sequence[str]) -> Applied:
    """Apply these batches (locked by the caller, not yet applied) to the counters."""
    if is_postgres(session):
        # Safe without waiting for the WAL flush: the applied mark and the counter changes
        # commit together, so a crash loses both and the batch is simply applied again.
        session.execute(text("SET LOCAL synchronous_commit = off"))
    mine = sorted(set(batch_ids))
    events = _claimed_events(session, mine)
    reached("apply:started")
    numbers = structure_numbers(session, {e.structure_id for e in events})

    # Step 2: lock every (year, youth) of the claim, appending its events' codes.
    added: dict[Key, list[int]] = {}
    codes: dict[str, int] = {}
    known: dict[tuple[Any, ...], int] = {}  # a claim holds few distinct kinds of code
    for event_id, kind, day, structure_id, region, youth_id, outcome, exit_reason, _ in events:
        key = (day.year, youth_id)
        if kind == "retraction":
            added.setdefault(key, [])
            continue
        spec = (structure_id, region, day.month, kind, outcome, exit_reason)
        code = known.get(spec)
        if code is None:
            fact = fact_of(kind, outcome, exit_reason)
            code = known[spec] = encode(numbers[structure_id], region, day.month, fact)
        codes[event_id] = code
        added.setdefault(key, []).append(code)
    after = _lock_and_append(session, added)
    reached("apply:locked")

    # Step 3: what must not count, read after the lock.
    kept_out, uncounted = _decide(session, events, list(added))
    reached("apply:looked-up")

    # Step 4: take it out, move the figures, mark the batches applied.
    taken: dict[Key, list[int]] = {}
    for e in kept_out:
        taken.setdefault(_key(e), []).append(codes[e.event_id])
    numbers.update(structure_numbers(session, {t.structure_id for t in uncounted}))
    removed: dict[Key, list[int]] = {}
    for target in uncounted:
        fact = fact_of(target.type, target.outcome, target.exit_reason)
        code = encode(numbers[target.structure_id], target.region, target.occurred_on.month, fact)
        removed.setdefault(_key(target), []).append(code)

    moves = Moves()
    rewritten: list[tuple[Key, list[int]]] = []
    for key, appended in added.items():
        codes_after = after[key]
        before = codes_after[: len(codes_after) - len(appended)]
        final = list(codes_after)
        net = list(appended)
        for code in taken.get(key, ()):
            final.remove(code)
            net.remove(code)
        for code in removed.get(key, ()):
            final.remove(code)  # (I): a target that counted is among the codes
        if key in taken or key in removed:
            rewritten.append((key, final))
        if net or key in removed:
            moves.youth(key[0], before, final, added=net, removed=removed.get(key, ()))
    for (year, youth_id), final in rewritten:
        session.execute(
            update(YouthState)
            .where(YouthState.year == year, YouthState.youth_id == youth_id)
            .values(codes=final)
        )
    structure_ids = {number: structure_id for structure_id, number in numbers.items()}
    _move_figures(session, moves.figure_deltas(structure_ids))
    session.execute(
        update(Batch).where(Batch.batch_id.in_(mine)).values(applied_at=dt.datetime.now(dt.UTC))
    )
    reached("apply:done")
    plain = len(codes)
    return Applied(len(mine), len(events), plain - len(kept_out), len(uncounted))


def _lock_and_append(session: Session, added: dict[Key, list[int]]) -> dict[Key, list[int]]:
    """Lock (creating if missing) the youth_state row of each key, in key order, appending
    its codes; each key's codes after the append."""
    keys = sorted(added)
    if not keys:
        return {}
    if is_postgres(session):
        sql = (
            "INSERT INTO youth_state (year, youth_id, codes) "
            "SELECT y, id, c::integer[] FROM unnest(%s::smallint[], %b::varchar[], %b::text[]) "
            "AS u(y, id, c) "
            "ON CONFLICT (year, youth_id) DO UPDATE "
            "SET codes = youth_state.codes || EXCLUDED.codes "
            "RETURNING year, youth_id, codes"
        )
        years = "{" + ",".join(str(year) for year, _ in keys) + "}"
        params = (
            years,
            [youth for _, youth in keys],
            ["{" + ",".join(map(str, added[key])) + "}" for key in keys],
        )
        dbapi = driver_connection(session)
        with dbapi.cursor(binary=True) as cursor:
            cursor.execute(sql, params)
            return {(year, youth): list(codes) for year, youth, codes in cursor.fetchall()}
    # SQLite: one writer at a time (BEGIN IMMEDIATE, shared/db.py), the same statement.
    table = table_of(YouthState)
    insert = upsert(session, table)
    statement = insert.on_conflict_do_update(
        index_elements=["year", "youth_id"],
        set_={"codes": table.c.codes.concat(insert.excluded.codes)},
    ).returning(table.c.year, table.c.youth_id, table.c.codes)
    after: dict[Key, list[int]] = {}
    for chunk in _chunks(keys):
        rows = session.execute(
            statement, [{"year": y, "youth_id": id_, "codes": added[(y, id_)]} for y, id_ in chunk]
        )
        after.update(((y, id_), codes) for y, id_, codes in rows)
    return after


def _decide(
    session: Session, events: Sequence[Any], keys: Sequence[Key]
) -> tuple[list[Any], list[Any]]:
    """(the claim's events that a retraction retracts; the events of other batches that
    counted until now and that a retraction of the claim retracts). Call it with the
    claim's youth_state rows locked."""
    ours: dict[str, list[dict[str, Any]]] = {}  # target id -> the claim's retractions of it
    for r in events:
        if r.type == "retraction":
            ours.setdefault(r.retracts, []).append(_fields(r))
    theirs: dict[str, list[dict[str, Any]]] = {}  # the same, from applied batches
    for r in _applied_retractions(session, keys):
        theirs.setdefault(r.target_id, []).append(_fields(r))

    def retracted(target: Any, retractions: Iterable[dict[str, Any]]) -> bool:
        fields = _fields(target)
        return any(retracts(r, fields) for r in retractions)

    aimed = ours.keys() | theirs.keys()
    kept_out = [
        e
        for e in events
        if e.event_id in aimed
        and e.type != "retraction"
        and retracted(e, (*ours.get(e.event_id, ()), *theirs.get(e.event_id, ())))
    ]
    here = {e.event_id for e in events}
    uncounted = [
        target
        for target in _targets(session, sorted(ours.keys() - here))
        if target.applied
        and retracted(target, ours[target.event_id])
        and not retracted(target, theirs.get(target.event_id, ()))
    ]
    return kept_out, uncounted


def _fields(row: Any) -> dict[str, Any]:
    """What shared.retractions.retracts reads of an event or a retraction."""
    return {
        "type": row.type,
        "occurred_on": row.occurred_on,
        "structure_id": row.structure_id,
        "youth_id": row.youth_id,
    }


def _applied_retractions(session: Session, keys: Sequence[Key]) -> list[Any]:
    """The retractions of applied batches filed under these (year, youth) keys."""
    if not keys:
        return []
    if is_postgres(session):
        # The keys as two arrays joined to the primary key: one parameter each, whatever
        # the claim's size (an IN list of pairs costs more to build than to run).
        sql = (
            "SELECT r.event_id, r.target_id, r.occurred_on, r.structure_id, r.youth_id "
            "FROM unnest(%s::smallint[], %b::varchar[]) AS k(year, youth_id) "
            "JOIN retractions r ON r.year = k.year AND r.youth_id = k.youth_id "
            "JOIN batches b ON b.batch_id = r.batch_id AND b.applied_at IS NOT NULL"
        )
        params = ("{" + ",".join(str(year) for year, _ in keys) + "}", [y for _, y in keys])
        with driver_connection(session).cursor(binary=True) as cursor:
            cursor.execute(sql, params)
            return [_Retraction(*row) for row in cursor.fetchall()]
    columns = (
        RetractionRow.event_id,
        RetractionRow.target_id,
        RetractionRow.occurred_on,
        RetractionRow.structure_id,
        RetractionRow.youth_id,
    )
    found: list[Any] = []
    for chunk in _chunks(sorted(keys)):
        found.extend(
            _Retraction(*row)
            for row in session.execute(
                select(*columns)
                .join(Batch, Batch.batch_id == RetractionRow.batch_id)
                .where(
                    tuple_(RetractionRow.year, RetractionRow.youth_id).in_(list(chunk)),
                    Batch.applied_at.is_not(None),
                )
            )
        )
    return found


class _Retraction(NamedTuple):
    event_id: str
    target_id: str
    occurred_on: dt.date
    structure_id: str
    youth_id: str
    type: str = "retraction"


def _targets(session: Session, event_ids: Sequence[str]) -> list[Any]:
    """These recorded events, each with whether its batch is applied."""
    found: list[Any] = []
    for chunk in _chunks(event_ids):
        found.extend(
            session.execute(
                select(*_EVENT_COLUMNS, Batch.applied_at.is_not(None).label("applied"))
                .join(Batch, Batch.batch_id == EventRow.batch_id)
                .where(member_of(session, EventRow.event_id, chunk))
            )
        )
    return found


def _move_figures(session: Session, deltas: dict[Cell, list[int]]) -> None:
    cells = sorted(deltas)  # in key order, so that concurrent appliers cannot deadlock
    bulk_upsert(
        session,
        table_of(FigureCounts),
        ("period", "scope", *COUNTED),
        [(*cell, *deltas[cell]) for cell in cells],
        key=("period", "scope"),
        increment=COUNTED,
    )


def structure_numbers(session: Session, structure_ids: Iterable[str]) -> dict[str, int]:
    """The number of each of these structures (given when they entered the registry)."""
    wanted = sorted(set(structure_ids))
    found: dict[str, int] = {}
    for chunk in _chunks(wanted):
        rows = session.execute(
            select(StructureNumber.structure_id, StructureNumber.number).where(
                member_of(session, StructureNumber.structure_id, chunk)
            )
        )
        found.update((structure_id, number) for structure_id, number in rows)
    missing = set(wanted) - found.keys()
    if missing:
        raise LookupError(f"structures without a number: {sorted(missing)}")
    return found


def read_counts(session: Session, period: str, scope: str) -> dict[str, int]:
    row = session.get(FigureCounts, (period, scope))
    if row is None:
        return dict.fromkeys(COUNTED, 0)
    return {key: getattr(row, key) for key in COUNTED}


def read_figures(session: Session, period: str, scope: str) -> dict[str, int | float]:
    """Every figure key of SPEC §4 (first table) for one period and scope."""
    return with_derived(read_counts(session, period, scope))


def read_cells(
    session: Session, periods: Sequence[str], scopes: Sequence[str]
) -> dict[Cell, dict[str, int | float]]:
    """The figures of every existing (period, scope) cell among these, for breakdowns."""
    result: dict[Cell, dict[str, int | float]] = {}
    for scope_chunk in _chunks(list(scopes)):
        rows = session.scalars(
            select(FigureCounts).where(
                FigureCounts.period.in_(periods),
                member_of(session, FigureCounts.scope, scope_chunk),
            )
        )
        for row in rows:
            result[(row.period, row.scope)] = with_derived(
                {key: getattr(row, key) for key in COUNTED}
            )
    return result


def zero_figures() -> dict[str, int | float]:
    return with_derived({})
