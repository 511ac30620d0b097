"""The recomputation in SQL (shared/pipeline/recompute.py) against the same definitions in Python,
on the cases its shortcuts must get right."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from shared.pipeline.recompute import recompute_from_log, recompute_year
from shared.registry import StructureFields, upsert_structure
from shared.storage.db import engine_for
from tests.support.events import apply_all, event, record


def both(database_url: str, sessions: sessionmaker[Session]) -> tuple[dict, dict]:
    with sessions() as session:
        truth = {c: v for c, v in recompute_from_log(session).items() if c[0].startswith("2007")}
    with engine_for(database_url).connect() as connection, connection.begin():
        return recompute_year(connection, 2007, months=True), truth


def test_a_structure_that_changed_region_during_the_year(database_url, sessions, registry) -> None:
    with sessions.begin() as session:
        record(session, [event("1", youth="A"), event("2", "workshop", youth="B")])
        upsert_structure(
            session, "ML-11-001", StructureFields(name="Paris", kind="mission_locale", region="24")
        )
    with sessions.begin() as session:
        # A and B again, now in region 24: the structure counts each once, each region once.
        record(session, [event("3", "outcome", youth="A", on="2007-09-01", outcome="training"),
                         event("4", youth="B", on="2007-10-01")])  # fmt: skip
    apply_all(sessions)
    recomputed, truth = both(database_url, sessions)
    assert recomputed == truth
    paris = truth[("2007", "structure:ML-11-001")]
    assert (paris["youths_in_contact"], paris["youths_interviewed"]) == (2, 2)
    assert truth[("2007", "region:24")]["youths_in_contact"] == 2
    with engine_for(database_url).connect() as connection, connection.begin():
        years = recompute_year(connection, 2007)
    assert years == {c: v for c, v in truth.items() if c[0] == "2007"}


def test_youths_met_in_several_regions_and_months(database_url, sessions, registry) -> None:
    with sessions.begin() as session:
        record(session, [
            event("1", "first_reception", youth="A", on="2007-01-05"),
            event("2", youth="A", structure="PAIO-24-001", on="2007-01-20"),
            event("3", "outcome", youth="A", structure="ML-11-002", on="2007-02-01",
                  outcome="employment"),
            event("4", youth="B", structure="ML-11-002", on="2007-02-03"),
            event("5", youth="B", on="2007-02-04"),
        ])  # fmt: skip
    apply_all(sessions)
    recomputed, truth = both(database_url, sessions)
    assert recomputed == truth
    assert truth[("2007", "national")]["youths_with_access"] == 1
    assert truth[("2007", "region:11")]["youths_in_contact"] == 2
    assert truth[("2007-01", "region:24")]["interviews"] == 1
