"""Year-end consolidation on the real PostgreSQL, with a real Celery worker on Redis.

A simulated year with its declarations reproduces the simulator's truth exactly;
concurrent triggers make one job; late events make a version 2 whose diff is
exactly theirs; a worker killed mid-job leaves no version and the retry
succeeds; a frozen version's content never changes (checked by its hash).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, text

from services.web import create_app
from shared.access.tokens import create_token
from shared.config import load_settings
from shared.consolidation.jobs import consolidate
from shared.registry import upsert_structure
from shared.storage.db import engine_for, session_factory
from shared.storage.models.consolidation import Consolidation, Report
from simulator.declarations import simulate_declarations
from simulator.generate import YearSimulation
from simulator.registry import demo_structures
from tests.support.events import apply_all, event, record
from tests.support.processes import Processes

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
SCALE = 0.01
YEAR = 2007


@pytest.fixture
def stack(postgres_url: str, redis_url: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The registry, tokens, a web app (test client) and a way to start real workers."""
    import os

    sessions = session_factory(engine_for(postgres_url))
    structures = demo_structures()
    with sessions.begin() as session:
        for structure_id, fields in structures:
            upsert_structure(session, structure_id, fields)
        admin = create_token(session, "admin")
    settings = replace(load_settings(), database_url=postgres_url, broker_url=redis_url)
    app = create_app({"SETTINGS": settings, "TESTING": True})
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "BILAN_DATABASE_URL": postgres_url,
        "BILAN_BROKER_URL": redis_url,
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    processes = Processes(env, tmp_path)
    try:
        yield {
            "sessions": sessions,
            "structures": structures,
            "admin": admin,
            "app": app,
            "processes": processes,
        }
    finally:
        processes.stop_all()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def trigger(client: FlaskClient, token: str, year: int = YEAR) -> dict[str, Any]:
    response = client.post("/v1/consolidations", json={"year": year}, headers=bearer(token))
    assert response.status_code == 202, response.get_data(as_text=True)
    return response.get_json()


def wait_job(
    client: FlaskClient, job_id: int, seconds: float = 120, monotonic: bool = True
) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    seen: list[float] = []
    while time.monotonic() < deadline:
        job = client.get(f"/v1/consolidations/{job_id}").get_json()
        seen.append(job["progress"])
        if job["status"] in ("succeeded", "failed"):
            # Within one attempt progress never goes back (a retry starts again from 0).
            assert not monotonic or seen == sorted(seen), seen
            return job
        time.sleep(0.1)
    raise AssertionError(f"consolidation {job_id} did not finish in {seconds} s: {job}")


def record_simulation(sessions: Any, simulation: YearSimulation) -> None:
    events = list(simulation.events())
    for start in range(0, len(events), 5000):
        with sessions.begin() as session:
            record(session, events[start : start + 5000], today=None)
    apply_all(sessions)


def test_simulated_year_with_declarations_reproduces_the_truth(stack: dict[str, Any]) -> None:
    sessions, admin = stack["sessions"], stack["admin"]
    simulation = YearSimulation(YEAR, SCALE, 3, stack["structures"])
    record_simulation(sessions, simulation)
    truth = simulation.truth()
    declared = simulate_declarations(YEAR, SCALE, 3, stack["structures"])
    client = stack["app"].test_client()
    for structure_id, body in declared.bodies.items():
        url = f"/v1/declarations/{YEAR}/{structure_id}"
        assert client.put(url, json=body, headers=bearer(admin)).status_code == 201
        assert client.post(f"{url}/validate", headers=bearer(admin)).status_code == 200

    stack["processes"].start("worker", "worker")
    job = wait_job(client, trigger(client, admin)["id"])
    assert (job["status"], job["version"], job["progress"], job["error"]) == (
        "succeeded",
        1,
        1.0,
        None,
    )
    report = client.get(f"/v1/reports/{YEAR}").get_json()
    figures = report["figures"]
    expected = {
        **truth["national"],
        "structures": 486,
        "missions_locales": 420,
        "paio": 66,
        **declared.truth(truth["national"]["youths_interviewed"]),
    }
    assert figures == expected
    assert figures["cost_per_youth"] == round(
        figures["funding_total"] / figures["youths_interviewed"]
    )
    assert abs(figures["funder_share_state"] - 0.396) < 0.001
    assert report["reconciliation"]["differences"] == {}
    assert report["completeness"] == {"structures": 486, "declarations_validated": 486}
    # Every region and structure too: the reconciliation compared them, and they agree.
    assert report["reconciliation"]["recomputed"] == truth["national"]


def test_concurrent_triggers_make_one_job(stack: dict[str, Any]) -> None:
    app, admin = stack["app"], stack["admin"]
    ids: list[int] = []
    barrier = threading.Barrier(8)

    def post() -> None:
        client = app.test_client()
        barrier.wait()
        ids.append(trigger(client, admin)["id"])

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ids) == 8 and len(set(ids)) == 1
    with stack["sessions"]() as session:
        assert len(session.scalars(select(Consolidation)).all()) == 1


def test_late_events_make_version_2_whose_diff_is_exactly_theirs(stack: dict[str, Any]) -> None:
    sessions, admin = stack["sessions"], stack["admin"]
    client = stack["app"].test_client()
    with sessions.begin() as session:
        record(session, [event(f"a{i}", youth=f"A{i}", structure="ML-11-001") for i in range(5)])
    apply_all(sessions)
    stack["processes"].start("worker", "worker")
    assert wait_job(client, trigger(client, admin)["id"])["version"] == 1
    first = client.get(f"/v1/reports/{YEAR}?version=1")
    digest = first.headers["X-Report-SHA256"]
    assert hashlib.sha256(first.get_data()).hexdigest() == digest
    v1 = first.get_json()["figures"]

    with sessions.begin() as session:
        record(
            session,
            [
                event("late-1", youth="A0", structure="ML-11-001"),  # one more interview
                event("late-2", "outcome", youth="A1", structure="ML-11-001", outcome="training"),
                event("late-3", "civis_entry", youth="B9", structure="ML-11-001"),
                event("other-year", youth="Z", structure="ML-11-001", on="2008-02-01"),
            ],
        )
    apply_all(sessions)
    live = client.get(f"/v1/figures?year={YEAR}").get_json()["figures"]
    assert live["interviews"] == 6  # counted live at once
    assert wait_job(client, trigger(client, admin)["id"])["version"] == 2
    v2 = client.get(f"/v1/reports/{YEAR}").get_json()
    assert v2["previous_version_diff"] == {
        "youths_in_contact": {"previous": 5, "current": 6},
        "interviews": {"previous": 5, "current": 6},
        "youths_with_access": {"previous": 0, "current": 1},
        "access_rate": {"previous": 0.0, "current": 0.2},
        "youths_training": {"previous": 0, "current": 1},
        "civis_entries": {"previous": 0, "current": 1},
    }
    assert {k: v2["figures"][k] for k in live} == live
    # Version 1 is frozen: same bytes, same hash, after the late events and version 2.
    again = client.get(f"/v1/reports/{YEAR}?version=1")
    assert again.get_data() == first.get_data()
    assert again.get_json()["figures"] == v1
    with sessions() as session:
        row = session.get_one(Report, (YEAR, 1))
        assert row.sha256 == digest == hashlib.sha256(row.document.encode()).hexdigest()


def test_a_worker_killed_mid_job_leaves_no_version_and_the_retry_succeeds(
    stack: dict[str, Any],
) -> None:
    sessions, admin, processes = stack["sessions"], stack["admin"], stack["processes"]
    # A job is stale after 4 s without a heartbeat (one every 2 s), swept every 0.5 s:
    # the retry comes in seconds instead of the production 20 s.
    processes.env = {**processes.env, "BILAN_STALE_SECONDS": "4", "BILAN_SWEEP_SECONDS": "0.5"}
    client = stack["app"].test_client()
    with sessions.begin() as session:
        record(session, [event(f"k{i}", youth=f"K{i}") for i in range(20)])
    apply_all(sessions)
    engine = sessions.kw["bind"]
    # Hold the reports table: the job computes its snapshot, then blocks on freezing.
    blocker = engine.connect()
    blocking = blocker.begin()
    blocker.execute(text("LOCK TABLE reports IN EXCLUSIVE MODE"))
    processes.start("worker", "worker")
    job_id = trigger(client, admin)["id"]
    deadline = time.monotonic() + 60
    while client.get(f"/v1/consolidations/{job_id}").get_json()["progress"] < 0.9:
        assert time.monotonic() < deadline, processes.log("worker")
        time.sleep(0.1)
    processes.kill("worker")  # SIGKILL, mid-job
    blocking.rollback()
    blocker.close()
    job = client.get(f"/v1/consolidations/{job_id}").get_json()
    assert (job["status"], job["version"]) == ("running", None)
    with sessions() as session:
        assert session.scalars(select(Report)).all() == []
    # A new worker's sweep finds the stale job and runs it again.
    processes.start("worker2", "worker")
    job = wait_job(client, job_id, seconds=60, monotonic=False)
    assert (job["status"], job["version"]) == ("succeeded", 1), processes.log("worker2")
    report = client.get(f"/v1/reports/{YEAR}").get_json()
    assert report["figures"]["youths_interviewed"] == 20
    with sessions() as session:
        assert [(r.year, r.version) for r in session.scalars(select(Report))] == [(YEAR, 1)]
        assert session.get_one(Consolidation, job_id).attempt == 2


def test_cost_per_youth_on_postgresql_covers_the_declaring_structures_only(
    stack: dict[str, Any],
) -> None:
    """The declarations of one region's structures validated, another's rejected: funding
    and staff are theirs, and cost_per_youth divides by the distinct youths interviewed at
    those structures — the region's own figure (a youth of two of them counts once) — in the
    same snapshot as the rest of the report."""
    sessions, admin = stack["sessions"], stack["admin"]
    simulation = YearSimulation(YEAR, SCALE, 5, stack["structures"])
    record_simulation(sessions, simulation)
    truth = simulation.truth()
    declared = simulate_declarations(YEAR, SCALE, 5, stack["structures"])
    regions = dict(stack["structures"])
    validated = [sid for sid in declared.bodies if regions[sid].region == "11"]
    rejected = next(sid for sid in declared.bodies if regions[sid].region == "24")
    client = stack["app"].test_client()
    for structure_id in [*validated, rejected]:
        url = f"/v1/declarations/{YEAR}/{structure_id}"
        body = declared.bodies[structure_id]
        assert client.put(url, json=body, headers=bearer(admin)).status_code == 201
        verdict = "validate" if structure_id in validated else "reject"
        answer = client.post(
            f"{url}/{verdict}", json={"reason": "incomplète"}, headers=bearer(admin)
        )
        assert answer.status_code == 200
    engine = sessions.kw["bind"]
    assert consolidate(engine, YEAR) == 1
    report = client.get(f"/v1/reports/{YEAR}").get_json()
    figures = report["figures"]
    funding = sum(sum(declared.bodies[sid]["funding"].values()) for sid in validated)
    youths = truth["regions"]["11"]["youths_interviewed"]
    assert youths < truth["national"]["youths_interviewed"]
    assert figures["funding_total"] == funding
    assert figures["professionals"] == sum(declared.bodies[s]["professionals"] for s in validated)
    assert figures["cost_per_youth"] == (2 * funding + youths) // (2 * youths)
    assert report["completeness"] == {"structures": 486, "declarations_validated": len(validated)}


def test_no_declaration_validated_on_postgresql_gives_a_null_cost_per_youth(
    stack: dict[str, Any],
) -> None:
    sessions = stack["sessions"]
    with sessions.begin() as session:
        record(session, [event(f"n{i}", youth=f"N{i}") for i in range(3)])
    apply_all(sessions)
    assert consolidate(sessions.kw["bind"], YEAR) == 1
    report = stack["app"].test_client().get(f"/v1/reports/{YEAR}").get_json()
    assert report["figures"]["cost_per_youth"] is None
    assert report["figures"]["youths_interviewed"] == 3
    assert report["completeness"] == {"structures": 486, "declarations_validated": 0}
