"""``bilan purge --through Y`` on the real PostgreSQL (SPEC §6, §7.6).

Three years of events — youths of one year only, youths of 2006 and 2007 whose profile a
2006 first reception gave, retractions, an inert 2007 retraction naming a 2006 event — are
applied and 2005 and 2006 consolidated. After the purge through 2006, ``pg_dump`` of the
database holds no youth id or event id of those years (while the ids of 2007 are there),
every counter cell and report is what it was, and ``bilan verify`` agrees; a refused purge
changes nothing; events, consolidations and declarations of a purged year are refused with
``purged_year``; a purge killed in its second year's transaction leaves the first year purged
and the second whole, and running it again finishes it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from shared.access.tokens import Caller
from shared.consolidation.jobs import ConsolidationRefused, consolidate, start_job
from shared.declarations.fields import DeclarationError, DeclarationFields, Funders, Funding
from shared.declarations.workflow import submit
from shared.pipeline.ingestion import Rejected
from shared.pipeline.verify import verify
from shared.retention.purge import PurgeRefused, purge_through
from shared.storage.db import engine_for
from shared.storage.models.profiles import YouthProfileRow
from shared.storage.models.retention import PurgedYear, RetainedProfile
from tests.support.events import apply_all, event, record
from tests.support.retention import aggregates, first, kept_ids, load, purged_ids, year_events

pytestmark = pytest.mark.postgres
ADMIN = Caller(1, "admin", frozenset(), None)


def dump(url: str) -> str:
    """The whole database as pg_dump writes it (data only: every row of every table)."""
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    written = subprocess.run(
        ["pg_dump", "--data-only", plain], check=True, capture_output=True, text=True
    ).stdout
    # Recent pg_dump fences its output with a random key (\restrict KEY): not the data.
    return "\n".join(line for line in written.splitlines() if "restrict " not in line)


@pytest.fixture
def loaded(pg: sessionmaker[Session], postgres_url: str) -> Engine:
    load(pg)
    engine = engine_for(postgres_url)
    for year in (2005, 2006):
        consolidate(engine, year)
    return engine


def test_a_purge_leaves_no_id_of_the_purged_years_and_every_figure(
    loaded: Engine, pg: sessionmaker[Session], postgres_url: str
) -> None:
    before = aggregates(loaded)
    assert any(row for row in before["profile_counts"])
    assert not verify(loaded).differences

    lines: list[str] = []
    done = purge_through(loaded, 2006, lines.append)

    assert [d.year for d in done] == [2005, 2006]
    assert any("2006: purged" in line for line in lines)
    text_of_dump = dump(postgres_url)
    assert not [i for i in purged_ids() if i in text_of_dump]
    assert not [i for i in kept_ids() if i not in text_of_dump]  # the control
    assert aggregates(loaded) == before
    result = verify(loaded)
    assert not result.differences, result.differences[:5]
    assert {2005, 2006, 2007} <= set(result.years)
    with pg() as session:
        # The 2007 youths whose profile a 2006 first reception gave keep it, without its id.
        kept = {r.youth_id: r for r in session.scalars(select(RetainedProfile))}
        assert sorted(kept) == [f"K-{i}" for i in range(8)]
        assert kept["K-0"].sex == "F" and kept["K-0"].birth_year == 1988
        profile = session.get_one(YouthProfileRow, "K-1")
        assert (profile.source_id, profile.sex) == ("", "M")
        assert session.get(YouthProfileRow, "Y2006-01") is None
        states = dict(session.execute(select(PurgedYear.year, PurgedYear.status)).all())
        assert states == {2005: "purged", 2006: "purged"}


def test_a_purged_year_refuses_events_resends_consolidations_and_declarations(
    loaded: Engine, pg: sessionmaker[Session]
) -> None:
    purge_through(loaded, 2006)
    before = aggregates(loaded)
    resent = year_events(2006)[:3]
    new = [event("E2005-late", on="2005-12-01", youth="Y-late")]
    for batch in (resent, new):
        with pg() as session, pytest.raises(Rejected) as refused:
            record(session, batch)
        assert {e.code for e in refused.value.errors} == {"purged_year"}
        assert [e.index for e in refused.value.errors] == list(range(len(batch)))
    with pg() as session, pytest.raises(ConsolidationRefused) as no_job:
        start_job(session, 2006)
    assert no_job.value.code == "purged_year"
    fields = DeclarationFields(
        professionals=3,
        funding=Funding(main=10, specific=0, managed_funds=0),
        funders=Funders(state=10, region=0, department=0, municipalities=0, esf=0, other=0),
    )
    with pg() as session, pytest.raises(DeclarationError) as no_declaration:
        submit(session, ADMIN, 2005, "ML-11-001", fields)
    assert no_declaration.value.code == "purged_year"
    assert apply_all(pg) == 0
    assert aggregates(loaded) == before


def test_a_profile_learnt_after_the_purge_never_moves_a_purged_year(
    loaded: Engine, pg: sessionmaker[Session]
) -> None:
    purge_through(loaded, 2006)
    before = aggregates(loaded)["profile_counts"]
    with pg.begin() as session:
        # N-0, of 2006 and 2007, had no profile; a 2007 first reception gives it one: before
        # the purge its 2006 figures would have moved too (SPEC §4.2), now only 2007's do.
        record(session, [first("E2007-N0-fr", "N-0", {"sex": "F"}, on="2007-09-09")])
    apply_all(pg)
    after = aggregates(loaded)["profile_counts"]

    def of(rows: list[Any], years: tuple[str, ...]) -> list[Any]:
        return [row for row in rows if row[0] in years]

    assert of(after, ("2005", "2006")) == of(before, ("2005", "2006"))
    assert of(after, ("2007",)) != of(before, ("2007",))
    assert not verify(loaded).differences


def test_a_refused_purge_changes_nothing(pg: sessionmaker[Session], postgres_url: str) -> None:
    load(pg)
    engine = engine_for(postgres_url)
    consolidate(engine, 2005)  # 2006 has no report
    with pg.begin() as session:
        record(session, [event("E2005-pending", on="2005-04-04", youth="Y-pending")])
    before, dumped = aggregates(engine), dump(postgres_url)

    with pytest.raises(PurgeRefused) as refused:
        purge_through(engine, 2006)

    assert set(refused.value.blocked) == {2005, 2006}
    assert "pending" in " ".join(refused.value.blocked[2005])
    assert "no frozen report" in " ".join(refused.value.blocked[2006])
    assert dump(postgres_url) == dumped
    assert aggregates(engine) == before


def test_the_command_refuses_with_exit_1_and_names_the_years(
    pg: sessionmaker[Session], postgres_url: str
) -> None:
    load(pg)
    env = {**os.environ, "BILAN_DATABASE_URL": postgres_url}
    run = subprocess.run(
        [sys.executable, "-m", "cli.main", "purge", "--through", "2006"],
        env=env, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    assert run.returncode == 1, run.stderr
    assert "2005:" in run.stderr and "2006:" in run.stderr and "nothing deleted" in run.stderr
    with pg() as session:
        assert session.scalar(select(func.count()).select_from(PurgedYear)) == 0


KILLED = """
import pathlib, sys, time
from shared.pipeline import checkpoints
from shared.retention.purge import purge_through
from shared.storage.db import engine_for

seen = []
def hook(point):
    if point == "purge:deleted":
        seen.append(point)
        if len(seen) == 2:  # in 2006's transaction, every row deleted, not committed
            pathlib.Path(sys.argv[2]).write_text("stopped")
            time.sleep(600)

with checkpoints.installed(hook):
    purge_through(engine_for(sys.argv[1]), 2006)
"""


def count_of(engine: Engine, sql: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(sql)).scalar_one())


def test_a_purge_killed_in_a_year_leaves_it_whole_and_a_rerun_finishes(
    loaded: Engine, postgres_url: str, tmp_path: Path
) -> None:
    before = aggregates(loaded)
    year_2006 = (
        "SELECT count(*) FROM events WHERE occurred_on BETWEEN '2006-01-01' AND '2006-12-31'"
    )
    events_2006 = count_of(loaded, year_2006)
    marker = tmp_path / "stopped"
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED, postgres_url, str(marker)],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert process.poll() is None, "the purge ended before its checkpoint"
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()

    # 2005's transaction committed; 2006's never did: every row of it is there.
    assert count_of(loaded, "SELECT count(*) FROM events WHERE occurred_on < '2006-01-01'") == 0
    assert count_of(loaded, year_2006) == events_2006
    assert count_of(loaded, "SELECT count(*) FROM youth_state WHERE year = 2006") > 0
    with Session(loaded) as session:
        states = dict(session.execute(select(PurgedYear.year, PurgedYear.status)).all())
    assert states == {2005: "purged", 2006: "purging"}
    assert aggregates(loaded) == before
    assert not verify(loaded).differences

    purge_through(loaded, 2006)  # resumes
    assert count_of(loaded, year_2006) == 0
    assert not [i for i in purged_ids() if i in dump(postgres_url)]
    assert aggregates(loaded) == before
    assert not verify(loaded).differences
