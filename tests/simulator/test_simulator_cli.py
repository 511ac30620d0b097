"""``bilan simulate``: NDJSON out or posting, the truth as the last line of stdout."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from cli.simulate import simulate
from shared.registry import StructureFields, upsert_structure
from simulator.quotas import KEY_FIGURES_2007
from simulator.registry import write_registry_csv


def invoke(*args: str) -> Any:
    return CliRunner().invoke(simulate, list(args), catch_exceptions=False)


def truth_of(result: Any) -> dict[str, Any]:
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_out_writes_ndjson_and_prints_the_truth_last(tmp_path: Path) -> None:
    out = tmp_path / "year.ndjson"
    result = invoke("--year", "2007", "--scale", "0.001", "--seed", "2", "--out", str(out))
    assert result.exit_code == 0, result.output
    truth = truth_of(result)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == truth["events"]
    events = [json.loads(line) for line in lines]
    youths = {e["youth_id"] for e in events if e["type"] != "retraction"}
    assert len(youths) == round(KEY_FIGURES_2007["youths_in_contact"] * 0.001)
    assert truth["national"]["interviews"] == 3600
    assert (truth["year"], truth["scale"], truth["seed"]) == (2007, 0.001, 2)
    assert len(truth["structures"]) == 486 and len(truth["regions"]) == 26


def test_exactly_one_destination() -> None:
    assert invoke("--year", "2007").exit_code == 2
    assert (
        invoke("--year", "2007", "--post", "http://x", "--token", "t", "--out", "f").exit_code == 2
    )
    assert invoke("--year", "2007", "--post", "http://x").exit_code == 2
    assert invoke("--year", "2007", "--scale", "0", "--out", "f").exit_code == 2


def test_registry_from_a_csv_and_until(tmp_path: Path) -> None:
    registry = tmp_path / "registry.csv"
    write_registry_csv(
        registry,
        [
            (
                "ML-11-001",
                StructureFields(name="Mission locale de Paris", kind="mission_locale", region="11"),
            ),
            ("PAIO-24-001", StructureFields(name="PAIO de Chartres", kind="paio", region="24")),
        ],
    )
    out = tmp_path / "year.ndjson"
    result = invoke(
        "--year",
        "2007",
        "--scale",
        "0.001",
        "--registry",
        str(registry),
        "--until",
        "2007-02-28",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    truth = truth_of(result)
    events = [json.loads(line) for line in out.read_text().splitlines()]
    assert {e["structure_id"] for e in events} == {"ML-11-001", "PAIO-24-001"}
    assert max(e["occurred_on"] for e in events) <= "2007-02-28"
    assert set(truth["structures"]) == {"ML-11-001", "PAIO-24-001"}


def test_registry_from_the_database(tmp_path: Path, sessions: Any, env: Any) -> None:
    with sessions.begin() as session:
        upsert_structure(
            session,
            "ML-53-001",
            StructureFields(name="Mission locale de Rennes", kind="mission_locale", region="53"),
        )
    out = tmp_path / "year.ndjson"
    result = invoke("--year", "2007", "--scale", "0.0005", "--registry", "db", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert set(truth_of(result)["regions"]) == {"53"}


def test_the_current_year_stops_today(tmp_path: Path) -> None:
    out = tmp_path / "now.ndjson"
    today = dt.date.today()
    result = invoke("--year", str(today.year), "--scale", "0.0005", "--out", str(out))
    assert result.exit_code == 0, result.output
    days = [json.loads(line)["occurred_on"] for line in out.read_text().splitlines()]
    assert all(day <= today.isoformat() for day in days)


def test_post_prints_the_report_then_the_truth(monkeypatch: pytest.MonkeyPatch) -> None:
    received: list[dict[str, Any]] = []

    def ingest(request: httpx.Request) -> httpx.Response:
        batch = json.loads(request.content)
        received.extend(batch)
        return httpx.Response(202, json={"batch_id": "b", "accepted": len(batch), "duplicates": 0})

    real_client = httpx.Client
    monkeypatch.setattr(
        httpx,
        "Client",
        lambda **kw: real_client(**{**kw, "transport": httpx.MockTransport(ingest)}),
    )
    result = invoke(
        "--year",
        "2007",
        "--scale",
        "0.0005",
        "--post",
        "http://ingest:8081",
        "--token",
        "t",
        "--batch-size",
        "500",
        "--clients",
        "2",
        "--shuffle",
        "50",
    )
    assert result.exit_code == 0, result.output
    truth = truth_of(result)
    assert (
        len(received) == truth["events"]
        and len({e["event_id"] for e in received}) == truth["events"]
    )
    report = result.stdout.strip().splitlines()[-2]
    assert f"{truth['events']} events posted" in report and f"{truth['events']} accepted" in report
