"""The year-end consolidation on SQLite: recompute from the log, reconcile, merge, freeze."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session, sessionmaker

from shared.access.tokens import Caller
from shared.consolidation.jobs import (
    RUNNING,
    LostJob,
    claim_job,
    consolidate,
    freeze,
    run_job,
    stale_jobs,
    start_job,
)
from shared.consolidation.snapshot import take_snapshot
from shared.declarations.fields import DeclarationFields
from shared.declarations.figures import merge_declarations
from shared.declarations.workflow import decide, submit
from shared.events import EXIT_REASONS, OUTCOME_KINDS
from shared.figures import (
    COUNTED,
    EVENT_COUNT_INDEX,
    FACT_INDEX,
    FACTS,
    FIGURE_KEYS,
    fact_of,
    figures_of_mask,
    sum_youth_figures,
    with_derived,
)
from shared.pipeline.recompute import recompute_cells, recompute_from_log
from shared.pipeline.recompute_sql import fact_bit_expression
from shared.report.keys import REPORT_KEYS
from shared.report.versions import read_report
from shared.storage.db import engine_for
from shared.storage.models.consolidation import Consolidation, Report
from shared.storage.models.registry import Structure
from tests.support.events import apply_all, event, random_events, record, with_late_targets

ADMIN = Caller(1, "admin", frozenset(), None)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32), st.integers(0, 80))
def test_youths_added_by_mask_give_the_figures_of_youths(seed: int, n: int) -> None:
    """figures_of_mask (what the counters and the recomputation add) agrees with
    youth_figures summed over the youths themselves (the definition)."""
    rnd = random.Random(seed)
    rows = []
    for i, e in enumerate(random_events(rnd, n)):
        rows.append(
            SimpleNamespace(
                event_id=f"e{i}",
                type=e["type"],
                outcome=e.get("outcome"),
                exit_reason=e.get("exit_reason"),
                occurred_on=dt.date.fromisoformat(e["occurred_on"]),
                structure_id=e["structure_id"],
                region=e["structure_id"].split("-")[1],
                youth_id=e["youth_id"],
                retracts=None,
            )
        )
    expected = recompute_cells(rows)
    for cell, youths in _facts_by_cell(rows).items():
        totals = [0] * len(COUNTED)
        for counts in youths.values():
            mask = sum(1 << i for i, c in enumerate(counts) if c > 0)
            for index, value in figures_of_mask(mask):
                totals[index] += value
            for fact, index in EVENT_COUNT_INDEX.items():
                totals[index] += counts[FACT_INDEX[fact]]
        assert dict(zip(COUNTED, totals, strict=True)) == expected[cell]
        assert sum_youth_figures(youths.values()) == expected[cell]


def _facts_by_cell(rows: list[Any]) -> dict:
    from shared.scopes import counted_cells

    cells: dict = defaultdict(lambda: defaultdict(lambda: [0] * len(FACTS)))
    for e in rows:
        fact = FACT_INDEX[fact_of(e.type, e.outcome, e.exit_reason)]
        for cell in counted_cells(e.occurred_on, e.structure_id, e.region):
            cells[cell][e.youth_id][fact] += 1
    return cells


def test_the_fact_bit_of_every_kind_of_event_is_its_fact(database_url: str) -> None:
    """The generated SQL gives each (type, outcome, exit reason) the bit of fact_of's fact."""
    kinds = [("contact", None, None), ("interview", None, None), ("workshop", None, None),
             ("first_reception", None, None), ("civis_entry", None, None),
             *(("outcome", o, None) for o in OUTCOME_KINDS),
             *(("civis_exit", None, r) for r in EXIT_REASONS)]  # fmt: skip
    with engine_for(database_url).connect() as connection:
        for kind in kinds:
            bit = connection.execute(
                text(f"SELECT {fact_bit_expression()} FROM (SELECT :t AS type, :o AS outcome, "
                     ":r AS exit_reason) e"),
                {"t": kind[0], "o": kind[1], "r": kind[2]},
            ).scalar()  # fmt: skip
            assert bit == 1 << FACT_INDEX[fact_of(*kind)], kind
    assert len({fact_of(*kind) for kind in kinds}) == len(FACTS)


def year_cells(cells: dict, year: str) -> dict:
    return {scope: values for (period, scope), values in cells.items() if period == year}


def report_of(sessions: sessionmaker[Session], year: int, version: int | None = None) -> dict:
    with sessions() as session:
        report = read_report(session, year, version)
        assert report is not None
        assert hashlib.sha256(report.document.encode()).hexdigest() == report.sha256
        return msgspec.json.decode(report.document)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_consolidation_recomputes_every_scope_exactly(
    sessions: sessionmaker[Session], registry: Any, database_url: str, seed: int
) -> None:
    for request in with_late_targets(random.Random(seed)):
        with sessions.begin() as session:
            record(session, request)
    apply_all(sessions)
    engine = engine_for(database_url)
    assert consolidate(engine, 2007) == 1
    document = report_of(sessions, 2007)
    with sessions() as session:
        truth = year_cells(recompute_from_log(session), "2007")
    assert {k: document["figures"][k] for k in FIGURE_KEYS} == with_derived(truth["national"])
    assert list(document["figures"]) == list(REPORT_KEYS)
    reconciliation = document["reconciliation"]
    assert reconciliation["differences"] == {}
    assert reconciliation["live"] == reconciliation["recomputed"] == with_derived(truth["national"])
    assert document["previous_version_diff"] is None
    assert document["completeness"] == {"structures": 3, "declarations_validated": 0}


def test_an_inert_retraction_leaves_its_target_in_the_report(
    sessions: sessionmaker[Session], registry: Any, database_url: str
) -> None:
    """SPEC §3.2: recorded first, a retraction that does not match its target retracts
    nothing, in the report as in the live counters."""
    with sessions.begin() as session:
        record(session, [event("r", "retraction", retracts="e", youth="Someone-else")])
        record(session, [event("e"), event("f", youth="Y2"), event("g", "retraction", retracts="f",
                                                                     youth="Y2")])  # fmt: skip
    apply_all(sessions)
    consolidate(engine_for(database_url), 2007)
    document = report_of(sessions, 2007)
    assert document["figures"]["interviews"] == 1  # e counts, f is retracted
    assert document["reconciliation"]["differences"] == {}


def test_differences_with_the_counters_are_reported_not_fixed(
    sessions: sessionmaker[Session], registry: Any, database_url: str
) -> None:
    with sessions.begin() as session:
        record(session, [event("a", youth="A"), event("b", youth="B", structure="PAIO-24-001")])
    apply_all(sessions)
    with sessions.begin() as session:
        record(session, [event("c", youth="C", structure="PAIO-24-001")])  # not applied
    consolidate(engine_for(database_url), 2007)
    document = report_of(sessions, 2007)
    assert document["figures"]["youths_interviewed"] == 3
    differences = document["reconciliation"]["differences"]
    assert set(differences) == {"national", "region:24", "structure:PAIO-24-001"}
    assert differences["national"]["youths_interviewed"] == {"live": 2, "recomputed": 3}
    assert document["reconciliation"]["live"]["youths_interviewed"] == 2
    # Nothing was fixed: the counters still lack the pending event.
    apply_all(sessions)
    consolidate(engine_for(database_url), 2007)
    assert report_of(sessions, 2007)["reconciliation"]["differences"] == {}


def fields(
    professionals: int, main: int, specific: int, managed: int, shares: list[int]
) -> DeclarationFields:
    funders = dict(
        zip(
            ("state", "region", "department", "municipalities", "esf", "other"), shares, strict=True
        )
    )
    return msgspec.convert(
        {
            "professionals": professionals,
            "funding": {"main": main, "specific": specific, "managed_funds": managed},
            "funders": funders,
        },
        DeclarationFields,
    )


def test_validated_declarations_and_registry_figures(
    sessions: sessionmaker[Session], registry: Any, database_url: str
) -> None:
    with sessions.begin() as session:
        record(session, [event("a", youth="A"), event("b", youth="B"), event("c", youth="C")])
        submit(
            session,
            ADMIN,
            2007,
            "ML-11-001",
            fields(10, 600, 300, 100, [400, 200, 100, 100, 50, 50]),
        )
        submit(session, ADMIN, 2007, "ML-11-002", fields(5, 300, 0, 0, [300, 0, 0, 0, 0, 0]))
        submit(session, ADMIN, 2007, "PAIO-24-001", fields(99, 9999, 0, 0, [9999, 0, 0, 0, 0, 0]))
        decide(session, ADMIN, 2007, "ML-11-001", "validated")
        decide(session, ADMIN, 2007, "ML-11-002", "validated")
        decide(session, ADMIN, 2007, "PAIO-24-001", "rejected", "faux")
    apply_all(sessions)
    consolidate(engine_for(database_url), 2007)
    figures = report_of(sessions, 2007)["figures"]
    assert (figures["structures"], figures["missions_locales"], figures["paio"]) == (3, 2, 1)
    assert figures["professionals"] == 15
    assert (
        figures["funding_main"],
        figures["funding_specific"],
        figures["funding_managed_funds"],
    ) == (900, 300, 100)
    assert figures["funding_total"] == 1300
    assert figures["funder_share_state"] == 700 / 1200
    assert figures["funder_share_esf"] == 50 / 1200
    assert figures["cost_per_youth"] == 433  # 1300 / 3 = 433.33
    assert report_of(sessions, 2007)["completeness"]["declarations_validated"] == 2


def test_cost_per_youth_divides_by_the_youths_of_the_declaring_structures(
    sessions: sessionmaker[Session], registry: Any, database_url: str
) -> None:
    """SPEC §4: funding of the validated declarations / distinct youths with an interview at
    a structure whose declaration is validated — a youth of two such structures once; the
    youths of a structure whose declaration is not validated, and a youth without an
    interview, are not in it; the completeness counts the same declarations."""
    with sessions.begin() as session:
        record(
            session,
            [
                event("a1", youth="A"),  # ML-11-001 and ML-11-002: once
                event("a2", youth="A", structure="ML-11-002"),
                event("b1", "contact", youth="B"),  # no interview
                event("c1", youth="C", structure="ML-11-002"),
                event("d1", youth="D", structure="PAIO-24-001"),  # declaration rejected
                event("e1", youth="E", structure="PAIO-24-001"),
                event("f1", youth="F", on="2006-05-01"),  # another year
            ],
        )
        submit(session, ADMIN, 2007, "ML-11-001", fields(10, 700, 0, 0, [700, 0, 0, 0, 0, 0]))
        submit(session, ADMIN, 2007, "ML-11-002", fields(5, 300, 0, 1, [300, 0, 0, 0, 0, 0]))
        submit(session, ADMIN, 2007, "PAIO-24-001", fields(9, 9000, 0, 0, [9000, 0, 0, 0, 0, 0]))
        decide(session, ADMIN, 2007, "ML-11-001", "validated")
        decide(session, ADMIN, 2007, "ML-11-002", "validated")
        decide(session, ADMIN, 2007, "PAIO-24-001", "rejected", "faux")
    apply_all(sessions)
    consolidate(engine_for(database_url), 2007)
    document = report_of(sessions, 2007)
    figures = document["figures"]
    assert figures["youths_interviewed"] == 4  # A, C, D, E nationally
    assert figures["funding_total"] == 1001
    assert figures["cost_per_youth"] == 501  # 1001 / 2 (A and C) = 500.5, half up
    assert document["completeness"] == {"structures": 3, "declarations_validated": 2}


def test_cost_per_youth_is_null_without_a_validated_declaration_or_youth(
    sessions: sessionmaker[Session], registry: Any, database_url: str
) -> None:
    engine = engine_for(database_url)
    with sessions.begin() as session:
        record(session, [event("a1", youth="A"), event("b1", youth="B", structure="ML-11-002")])
        submit(session, ADMIN, 2007, "ML-11-001", fields(10, 700, 0, 0, [700, 0, 0, 0, 0, 0]))
        submit(session, ADMIN, 2007, "PAIO-24-001", fields(3, 200, 0, 0, [200, 0, 0, 0, 0, 0]))
    apply_all(sessions)
    consolidate(engine, 2007)
    first = report_of(sessions, 2007)  # submitted, none validated
    assert first["figures"]["cost_per_youth"] is None
    assert first["figures"]["funding_total"] == 0
    assert first["completeness"] == {"structures": 3, "declarations_validated": 0}
    with sessions.begin() as session:
        decide(session, ADMIN, 2007, "PAIO-24-001", "validated")  # interviewed nobody
    consolidate(engine, 2007)
    second = report_of(sessions, 2007)
    assert second["figures"]["funding_total"] == 200
    assert second["figures"]["cost_per_youth"] is None
    assert "cost_per_youth" not in second["previous_version_diff"]  # null both times


def test_a_declaration_of_a_structure_no_longer_active_in_the_year_is_out_of_the_field(
    sessions: sessionmaker[Session], registry: Any, database_url: str
) -> None:
    with sessions.begin() as session:
        record(session, [event("a1", youth="A"), event("b1", youth="B", structure="ML-11-002")])
        submit(session, ADMIN, 2007, "ML-11-001", fields(10, 700, 0, 0, [700, 0, 0, 0, 0, 0]))
        submit(session, ADMIN, 2007, "ML-11-002", fields(5, 300, 0, 0, [300, 0, 0, 0, 0, 0]))
        decide(session, ADMIN, 2007, "ML-11-001", "validated")
        decide(session, ADMIN, 2007, "ML-11-002", "validated")
        # The registry now says ML-11-002 opened in 2008.
        session.execute(
            update(Structure)
            .where(Structure.structure_id == "ML-11-002")
            .values(opened_on=dt.date(2008, 1, 1))
        )
    apply_all(sessions)
    consolidate(engine_for(database_url), 2007)
    document = report_of(sessions, 2007)
    assert document["completeness"] == {"structures": 2, "declarations_validated": 1}
    assert (document["figures"]["professionals"], document["figures"]["cost_per_youth"]) == (
        10,
        700,
    )


def test_cost_per_youth_rounds_half_up_and_null_when_undefined() -> None:
    sums = {
        "professionals": 0,
        "funding_main": 5,
        "funding_specific": 0,
        "funding_managed_funds": 0,
    }
    sums |= {
        f"funder_{k}": 0
        for k in ("state", "region", "department", "municipalities", "esf", "other")
    }
    assert merge_declarations(sums, 2)["cost_per_youth"] == 3  # 2.5 rounds up
    assert merge_declarations(sums, 0)["cost_per_youth"] is None
    assert merge_declarations(sums, 2)["funder_share_state"] == 0.0


def test_versions_diff_and_frozen_content(
    sessions: sessionmaker[Session], registry: Any, database_url: str
) -> None:
    engine = engine_for(database_url)
    with sessions.begin() as session:
        record(session, [event("a", youth="A"), event("b", youth="B")])
    apply_all(sessions)
    assert consolidate(engine, 2007) == 1
    with sessions() as session:
        frozen = session.get_one(Report, (2007, 1))
        text, digest = frozen.document, frozen.sha256
    # Late events of the year: they count live and in the next version's diff, exactly.
    with sessions.begin() as session:
        record(
            session,
            [
                event("c", youth="C"),
                event("d", "workshop", youth="D"),
                event("x", youth="A", on="2008-01-02"),
            ],
        )
    apply_all(sessions)
    assert consolidate(engine, 2007) == 2
    second = report_of(sessions, 2007)
    assert second["version"] == 2
    assert second["previous_version_diff"] == {
        "youths_in_contact": {"previous": 2, "current": 4},
        "youths_received": {"previous": 2, "current": 4},
        "youths_interviewed": {"previous": 2, "current": 3},
        "interviews": {"previous": 2, "current": 3},
    }
    assert consolidate(engine, 2007) == 3
    assert report_of(sessions, 2007)["previous_version_diff"] == {}
    with sessions() as session:
        again = session.get_one(Report, (2007, 1))
        assert (again.document, again.sha256) == (text, digest)
        assert hashlib.sha256(again.document.encode()).hexdigest() == digest
    assert report_of(sessions, 2007, 1)["version"] == 1


def test_one_active_job_per_year(sessions: sessionmaker[Session], registry: Any) -> None:
    with sessions.begin() as session:
        first, created = start_job(session, 2007)
        assert created
        second, created_again = start_job(session, 2007)
        assert (second.id, created_again) == (first.id, False)
        other, created_other = start_job(session, 2006)
        assert created_other and other.id != first.id


def test_a_worker_dead_mid_job_leaves_no_version_and_the_retry_completes(
    sessions: sessionmaker[Session], registry: Any, database_url: str
) -> None:
    engine = engine_for(database_url)
    with sessions.begin() as session:
        record(session, [event("a", youth="A")])
        job, _ = start_job(session, 2007)
    apply_all(sessions)
    # A worker claims the job and dies before freezing: the job is running, no version.
    assert claim_job(engine, job.id) == (1, 2007)
    assert run_job(engine, job.id) is None  # a redelivered message while it "runs": no-op
    with sessions() as session:
        assert session.scalars(select(Report)).all() == []
        assert session.get_one(Consolidation, job.id).status == RUNNING
    # Its heartbeat goes stale; the sweep re-queues it and a retry completes it.
    with sessions.begin() as session:
        assert stale_jobs(session, stale_seconds=3600) == []
        assert stale_jobs(session, stale_seconds=-1) == [job.id]
    assert run_job(engine, job.id) == 1
    with sessions() as session:
        done = session.get_one(Consolidation, job.id)
        assert (done.status, done.version, done.progress, done.attempt) == ("succeeded", 1, 1.0, 2)
        assert len(session.scalars(select(Report)).all()) == 1


def test_a_superseded_attempt_cannot_freeze(
    sessions: sessionmaker[Session], registry: Any, database_url: str
) -> None:
    engine = engine_for(database_url)
    with sessions.begin() as session:
        job, _ = start_job(session, 2007)
    assert claim_job(engine, job.id) == (1, 2007)
    with sessions.begin() as session:
        session.execute(update(Consolidation).values(status="queued"))
    assert claim_job(engine, job.id) == (2, 2007)
    with pytest.raises(LostJob):
        freeze(engine, job.id, 1, 2007, take_snapshot(engine, 2007))
    with sessions() as session:
        assert session.scalars(select(Report)).all() == []


def test_progress_moves_up_to_one(
    sessions: sessionmaker[Session], registry: Any, database_url: str
) -> None:
    seen: list[float] = []
    consolidate(engine_for(database_url), 2007, seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= 5
