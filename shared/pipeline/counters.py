"""The live counters: applying recorded batches exactly once, and reading figures.

State. ``youth_state`` holds, per (year, youth), the codes of the youth's events
of that year that count (shared/pipeline/codes.py); ``figure_counts`` holds, per (period,
scope), the COUNTED figures, which are the sum over youths of
``shared.figures.youth_figures`` of their facts in that cell — for an increment cell
of the year to date, of its facts cumulated through that month minus those cumulated
before it (shared/pipeline/codes.py). A batch is *applied* when ``batches.applied_at`` is set.

Invariant, true at every commit (so in every snapshot a reader takes):

    (I) a recorded event E other than a retraction is among the codes of
        youth_state[year(E), youth(E)]  ⇔  batch(E) is applied and no retraction
        of an applied batch retracts E (shared.pipeline.retractions.retracts);
    (C) figure_counts = Σ over youth_state rows of each youth's figures in each cell;
    (P) youth_profiles[youth] is the youth's profile over the events of applied batches
        (SPEC §4.2: its earliest first reception carrying one that (I) counts), and
        profile_counts[year, scope, dimension, category] = Σ over the youth_state rows
        (year, youth) whose youth falls in that category that year (shared/profiles.py)
        of the youth's figures in (year, scope) (shared/pipeline/profiles.py).

At every moment, then, the counters are the figures of SPEC §4 over the applied
batches; with nothing pending, over the whole log (SPEC §7.3). ``bilan verify``
checks exactly this statement, in one snapshot, while ingest and workers run.

The protocol. A claim of batches B is applied in one transaction T:

1. read B's events (immutable once recorded: no lock needed); **lock** the
   youth_profiles row of every youth of B's events, retractions included, in one
   statement, in key order, creating missing rows, and read each youth's profile;
2. **lock** the youth_state row of every (year, youth) of B's events —
   retractions included — in one statement, in key order, creating missing rows,
   and append the codes of B's events (optimistically counted);
3. **after the lock**, look up what decides (I): the retractions that aim at B's
   events, from B or from applied batches; the targets of B's retractions, whether
   their batch is applied and whether an applied retraction already retracts them;
   then each youth's profile after B (P): B's counted first receptions carrying one
   compete with the youth's; if B uncounts the one that gave it, the best left is read
   from the log (applied batches and B); the youth_profiles rows take the new profiles
   (on PostgreSQL, B's first receptions' in the statement that finds them);
4. take out the codes (I) says must not count (B's events retracted; targets of
   B's retractions that counted until now), move figure_counts by the difference
   of each touched youth's figures before and after (C), and profile_counts by the
   difference of each touched (year, youth)'s figures in its categories before and
   after — for a youth whose profile B changes, every year it has a youth_state row
   moves from the old categories to the new (P); mark B applied; commit.

Steps 1 to 3 are set-based on PostgreSQL (shared/pipeline/counters_sql.py: the claim's
events never come to Python one by one) and row by row on SQLite; step 3's decision
(shared/pipeline/claims.py) and step 4 are one code for both.

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

Why a profile change is exact, whatever runs beside it (the youth's events of
another year, applied concurrently; two first receptions of one youth in two
claims; the one giving the profile retracted while another year's events apply):
a youth's profile, and so the category of its figures in *every* year, can change
with any claim holding one of its events, whatever their year. So the unit of
locking for (P) is the youth, not the (year, youth): every claim locks, in step 1,
the youth_profiles row of each youth it touches before any youth_state row. Every
write about a youth — its youth_state row of any year, its profile, the applied
mark of a batch holding its events or retractions of them — is then made under that
youth's lock, and the second of two claims touching the same youth takes it only
after the first committed (READ COMMITTED: each statement after the lock sees that
commit). Hence, under the lock, a claim reads the youth's profile, its codes of every
year and the log's applied batches exactly as committed, and nothing of them changes
until it commits: the profile it computes is (P)'s over the applied batches and its
own; the codes it moves between categories are the youth's codes of each year, with
no concurrent creation of a youth_state row to miss (a row's creator holds the
youth's lock too, so it committed before, and its row is read, or waits, and then
reads the new profile after its own lock). The other years' youth_state rows are read
without waiting: any other holder of them would hold the youth's lock first. The
youth lock also orders retractions as step 2 does; the (year, youth) lock is kept
for the codes' append and changes nothing to the argument above it.

No deadlock: a transaction waits only in step 1 and step 2 (one statement each
locking rows in key order, youth_profiles before youth_state, in every claim) and
when it upserts figure_counts, then profile_counts (one statement each, in key
order, after every row lock). Claims skip locked batches instead of waiting.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from shared.figures import fact_of
from shared.pipeline.checkpoints import reached
from shared.pipeline.claims import Applied, LookedUp, decide
from shared.pipeline.codes import Moves, encode
from shared.pipeline.counter_tables import (
    Key,
    applied_retractions,
    claimed_events,
    lock_and_append,
    move_figures,
    structure_numbers,
)
from shared.pipeline.counters_sql import look_up_set_based
from shared.pipeline.profile_tables import (
    lock_youths,
    move_profile_figures,
    save_profiles,
    structures_numbered,
)
from shared.pipeline.profiles import ProfileMoves, move_other_years, new_profiles
from shared.profiles import categories
from shared.storage.bulk import is_postgres
from shared.storage.models.counters import YouthState
from shared.storage.models.log import Batch


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


def _key(event: Any) -> Key:
    return (event.occurred_on.year, event.youth_id)


def apply_batches(session: Session, batch_ids: Sequence[str]) -> Applied:
    """Apply these batches (locked by the caller, not yet applied) to the counters."""
    mine = sorted(set(batch_ids))
    if is_postgres(session):
        # Safe without waiting for the WAL flush: the applied mark and the counter changes
        # commit together, so a crash loses both and the batch is simply applied again.
        session.execute(text("SET LOCAL synchronous_commit = off"))
        # A claim's statements are short; a plan whose estimate crosses jit_above_cost (a
        # temporary table has no statistics, the log's may be stale) would spend more time
        # compiling than running.
        session.execute(text("SET LOCAL jit = off"))
        found = look_up_set_based(session, mine)
    else:
        found = _look_up_rows(session, mine)

    # Step 4: take it out, move the figures, mark the batches applied.
    numbers = dict(found.numbers)
    numbers.update(structure_numbers(session, {t.structure_id for t in found.uncounted}))
    removed: dict[Key, list[int]] = {}
    for target in found.uncounted:
        fact = fact_of(target.type, target.outcome, target.exit_reason)
        code = encode(numbers[target.structure_id], target.region, target.occurred_on.month, fact)
        removed.setdefault(_key(target), []).append(code)

    moves, by_profile = Moves(), ProfileMoves()
    profiles, changed = found.profiles, found.changed
    rewritten: list[tuple[Key, list[int]]] = []
    for key, (codes_after, appended) in found.touched.items():
        before = codes_after[: len(codes_after) - len(appended)]
        final = list(codes_after)
        net = list(appended)
        for code in found.taken.get(key, ()):
            final.remove(code)
            net.remove(code)
        for code in removed.get(key, ()):
            final.remove(code)  # (I): a target that counted is among the codes
        if key in found.taken or key in removed:
            rewritten.append((key, final))
        old = profiles[key[1]]
        side, new_side = categories(old, key[0]), categories(changed.get(key[1], old), key[0])
        if net or key in removed:
            gone = removed.get(key, ())
            cells = moves.youth(key[0], before, final, added=net, removed=gone)
            # Most youths: the profile is the same, or the youth had no codes of the year
            # (nothing leaves the old categories): the cells Moves found are the profiles'.
            if side == new_side or not before:
                by_profile.moved(key[0], cells, new_side, net, gone)
                continue
        by_profile.youth(key[0], before, final, side, new_side)
    # A youth first seen in this claim has no other year to move.
    seen = {y: p for y, p in changed.items() if y not in found.new_youths}
    move_other_years(session, by_profile, profiles, seen, found.touched.keys())
    for (year, youth_id), final in rewritten:
        session.execute(
            update(YouthState)
            .where(YouthState.year == year, YouthState.youth_id == youth_id)
            .values(codes=final)
        )
    structure_ids = {number: structure_id for structure_id, number in numbers.items()}
    structure_ids.update(
        structures_numbered(session, by_profile.structures() - structure_ids.keys())
    )
    move_figures(session, moves.figure_deltas(structure_ids))
    move_profile_figures(session, by_profile.figure_deltas(structure_ids))
    save_profiles(session, {y: p for y, p in changed.items() if y not in found.saved})
    session.execute(
        update(Batch).where(Batch.batch_id.in_(mine)).values(applied_at=dt.datetime.now(dt.UTC))
    )
    reached("apply:done")
    return Applied(len(mine), found.events, found.counted, len(found.uncounted))


def _look_up_rows(session: Session, mine: Sequence[str]) -> LookedUp:
    """Steps 1 to 3 row by row, in Python (SQLite: one writer at a time)."""
    events = claimed_events(session, mine)
    reached("apply:started")
    numbers = structure_numbers(session, {e.structure_id for e in events})

    # Step 1: lock every youth of the claim, reading its profile.
    profiles = lock_youths(session, {e.youth_id for e in events})
    reached("apply:youths-locked")

    # Step 2: lock every (year, youth) of the claim, appending its events' codes.
    added: dict[Key, list[int]] = {}
    codes: dict[str, int] = {}
    for event_id, kind, day, structure_id, region, youth_id, outcome, exit_reason, *_ in events:
        key = (day.year, youth_id)
        if kind == "retraction":
            added.setdefault(key, [])
            continue
        fact = fact_of(kind, outcome, exit_reason)
        codes[event_id] = encode(numbers[structure_id], region, day.month, fact)
        added.setdefault(key, []).append(codes[event_id])
    after = lock_and_append(session, added)
    reached("apply:locked")

    # Step 3: what must not count, read after the lock.
    kept_out, uncounted = decide(
        session,
        (e for e in events if e.type == "retraction"),
        applied_retractions(session, list(added)),
        lambda ids: [e for e in events if e.event_id in ids],
    )
    changed = new_profiles(session, events, kept_out, uncounted, profiles, mine)
    reached("apply:looked-up")
    taken: dict[Key, list[int]] = {}
    for e in kept_out:
        taken.setdefault(_key(e), []).append(codes[e.event_id])
    touched = {key: (after[key], appended) for key, appended in added.items()}
    counted = len(codes) - len(kept_out)
    return LookedUp(len(events), counted, numbers, profiles, touched, taken, uncounted, changed)
