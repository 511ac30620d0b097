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


@pytest.fixture
def batches(monkeypatch: pytest.MonkeyPatch) -> list[list[dict[str, Any]]]:
    """The batches a fake ingest receives (each answered 202)."""
    received: list[list[dict[str, Any]]] = []

    def ingest(request: httpx.Request) -> httpx.Response:
        batch = json.loads(request.content)
        received.append(batch)
        return httpx.Response(202, json={"batch_id": "b", "accepted": len(batch), "duplicates": 0})

    real_client = httpx.Client
    monkeypatch.setattr(
        httpx,
        "Client",
        lambda **kw: real_client(**{**kw, "transport": httpx.MockTransport(ingest)}),
    )
    return received


def test_post_prints_the_report_then_the_truth(batches: list[list[dict[str, Any]]]) -> None:
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
    received = [event for batch in batches for event in batch]
    assert (
        len(received) == truth["events"]
        and len({e["event_id"] for e in received}) == truth["events"]
    )
    report = result.stdout.strip().splitlines()[-2]
    assert f"{truth['events']} events posted" in report and f"{truth['events']} accepted" in report


def test_years_out_writes_every_year_and_prints_the_truth_by_year(tmp_path: Path) -> None:
    out = tmp_path / "years.ndjson"
    result = invoke("--years", "2005-2007", "--scale", "0.001", "--out", str(out))
    assert result.exit_code == 0, result.output
    truth = truth_of(result)
    assert list(truth["years"]) == ["2005", "2006", "2007"]
    events = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(events) == truth["events"] == sum(y["events"] for y in truth["years"].values())
    assert {e["occurred_on"][:4] for e in events} == {"2005", "2006", "2007"}
    assert truth["years"]["2007"]["national"]["interviews"] == 3600
    assert truth["years"]["2005"]["national"]["interviews"] < 3600


@pytest.mark.parametrize(
    "args",
    [
        ["--year", "2007", "--years", "2006-2007"],
        [],
        ["--years", "2007"],
        ["--years", "2008-2007"],
        ["--year", "2007", "--backfill"],
    ],
)
def test_a_year_or_a_range_of_years(tmp_path: Path, args: list[str]) -> None:
    result = CliRunner().invoke(simulate, [*args, "--out", str(tmp_path / "x.ndjson")])
    assert result.exit_code == 2, result.output


def test_skip_leaves_out_the_first_events_of_the_same_stream(tmp_path: Path) -> None:
    whole, rest = tmp_path / "whole.ndjson", tmp_path / "rest.ndjson"
    args = ["--years", "2006-2007", "--scale", "0.0005"]
    assert invoke(*args, "--out", str(whole)).exit_code == 0
    result = invoke(*args, "--skip", "700", "--out", str(rest))
    assert result.exit_code == 0, result.output
    assert rest.read_text().splitlines() == whole.read_text().splitlines()[700:]
    assert truth_of(result)["events"] == len(whole.read_text().splitlines())


def test_backfill_posts_the_history_at_once_then_the_live_year(
    batches: list[list[dict[str, Any]]],
) -> None:
    result = invoke(
        "--years", "2006-2007", "--scale", "0.0005", "--post", "http://ingest:8081",
        "--token", "t", "--backfill", "--batch-size", "50", "--clients", "1", "--skip", "10",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    years = [{e["occurred_on"][:4] for e in batch} for batch in batches]
    history = [batch for batch, seen in zip(batches, years, strict=True) if seen == {"2006"}]
    live = [batch for batch, seen in zip(batches, years, strict=True) if seen == {"2007"}]
    assert len(history) + len(live) == len(batches)  # no batch mixes the two
    assert batches.index(live[0]) == len(history)  # the history first
    assert max(map(len, history)) == 1000 and max(map(len, live)) == 50
    posted = sum(map(len, batches))
    assert posted == truth_of(result)["events"] - 10
