"""A year is frozen only once it has ended (SPEC §5): the API's 409 ``year_not_ended``, the
admin page's refusal in French, ``bilan consolidate``'s one line; and a report whose
``cost_per_youth`` is null decodes as the documented struct."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import msgspec
import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cli.main import main
from services.web.reports.schemas import ReportDocument
from shared.consolidation.jobs import (
    ConsolidationRefused,
    paris_today,
    start_job,
    year_has_ended,
)
from shared.storage.models.consolidation import Consolidation
from tests.support.events import apply_all, event, record
from tests.support.web import bearer, consolidate_now, csrf_of, sign_in


def test_a_year_ends_after_its_31_december_in_paris() -> None:
    assert not year_has_ended(2025, dt.date(2025, 12, 7))
    assert not year_has_ended(2025, dt.date(2025, 12, 31))
    assert year_has_ended(2025, dt.date(2026, 1, 1))
    assert year_has_ended(2007, dt.date(2026, 1, 1))
    assert not year_has_ended(2027, dt.date(2026, 1, 1))
    # 31 December, 23:30 UTC is already 1 January in Paris.
    assert paris_today() >= dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)


def test_start_job_refuses_a_year_not_ended(sessions: sessionmaker[Session], registry: Any) -> None:
    with sessions.begin() as session, pytest.raises(ConsolidationRefused) as refused:
        start_job(session, 2025, today=dt.date(2025, 12, 7))
    assert refused.value.code == "year_not_ended"
    with sessions() as session:
        assert session.scalars(select(Consolidation)).all() == []


def test_post_consolidations_of_the_current_year_is_a_409(
    client: FlaskClient, admin_token: str, sessions: sessionmaker[Session]
) -> None:
    this_year = paris_today().year
    for year in (this_year, this_year + 1):
        answer = client.post("/v1/consolidations", json={"year": year}, headers=bearer(admin_token))
        assert answer.status_code == 409
        body = answer.get_json()
        assert body["error"] == "year_not_ended"
        assert f"{year} has not ended" in body["message"]
    with sessions() as session:
        assert session.scalars(select(Consolidation)).all() == []  # nothing queued
    last_year = client.post(
        "/v1/consolidations", json={"year": this_year - 1}, headers=bearer(admin_token)
    )
    assert last_year.status_code == 202


def test_openapi_documents_the_409(client: FlaskClient) -> None:
    post = client.get("/openapi.json").get_json()["paths"]["/v1/consolidations"]["post"]
    assert "year_not_ended" in post["responses"]["409"]["description"]


def test_the_admin_page_neither_offers_nor_accepts_a_year_not_ended(
    client: FlaskClient, admin_token: str, sessions: sessionmaker[Session]
) -> None:
    this_year = paris_today().year
    sign_in(client, admin_token)
    page = html.unescape(client.get("/admin").get_data(as_text=True))
    select_html = page.split('id="consolidate-year"', 1)[1].split("</select>", 1)[0]
    assert f'value="{this_year}"' not in select_html
    assert f'value="{this_year - 1}"' in select_html
    answer = client.post(
        "/admin/consolidations",
        data={"year": str(this_year), "csrf": csrf_of(page), "confirm": "1"},
        follow_redirects=True,
    )
    text = html.unescape(answer.get_data(as_text=True))
    assert f"L'année {this_year} n'est pas terminée" in text
    assert f"à partir du 1er janvier {this_year + 1}" in text
    with sessions() as session:
        assert session.scalars(select(Consolidation)).all() == []


def test_bilan_consolidate_of_a_year_not_ended_exits_1_with_one_line(
    env: Any, sessions: sessionmaker[Session], registry: Any
) -> None:
    year = paris_today().year
    result = CliRunner().invoke(main, ["consolidate", str(year)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {year} has not ended: a year is consolidated from 1 January {year + 1} "
        "(Europe/Paris)"
    ]
    with sessions() as session:
        assert session.scalars(select(Consolidation)).all() == []


def test_a_report_with_a_null_cost_per_youth_decodes_as_documented(
    client: FlaskClient, admin_token: str, sessions: sessionmaker[Session], database_url: str
) -> None:
    with sessions.begin() as session:
        record(session, [event("a", youth="A")])
    apply_all(sessions)
    consolidate_now(client, admin_token, database_url)
    response = client.get("/v1/reports/2007")
    report = msgspec.json.decode(response.get_data(), type=ReportDocument, strict=True)
    assert report.figures.cost_per_youth is None  # type: ignore[attr-defined]
    schema = client.get("/openapi.json").get_json()["components"]["schemas"]["ReportFigures"]
    cost = schema["properties"]["cost_per_youth"]
    assert {"type": "null"} in cost.get("anyOf", []), cost


def _validate(
    sessions: sessionmaker[Session], year: int, validated: list[str], **others: str
) -> None:
    """Declarations of ``year``: those of ``validated`` validated, the others in the state
    given by structure id (``submitted`` or ``rejected``)."""
    from shared.access.tokens import Caller
    from shared.declarations.workflow import decide, submit
    from tests.support.declarations import declaration_fields

    admin = Caller(1, "admin", frozenset(), None)
    with sessions.begin() as session:
        for structure_id in [*validated, *others]:
            submit(session, admin, year, structure_id, declaration_fields())
        for structure_id in validated:
            decide(session, admin, year, structure_id, "validated")
        for structure_id, state in others.items():
            if state == "rejected":
                decide(session, admin, year, structure_id, "rejected", "incomplète")


def test_incomplete_declarations_ask_for_confirmation_first(
    client: FlaskClient, admin_token: str, sessions: sessionmaker[Session]
) -> None:
    _validate(sessions, 2007, ["ML-11-001"], **{"PAIO-24-001": "rejected"})
    csrf = sign_in(client, admin_token)
    admin = html.unescape(client.get("/admin?year=2007").get_data(as_text=True))
    said = admin.split('id="consolidate-completeness">', 1)[1].split("</p>", 1)[0]
    assert "1 déclaration validée sur 3 structures actives (33\u202f%)" in said
    assert "0 à valider, 1 rejetée, 1 non transmise" in said
    assert "sera provisoire" in said
    asked = client.post("/admin/consolidations", data={"year": "2007", "csrf": csrf})
    assert asked.status_code == 200
    text = html.unescape(asked.get_data(as_text=True))
    assert "Consolider 2007 avec des déclarations incomplètes ?" in text
    counts = text.split('class="missing-counts">', 1)[1].split("</ul>", 1)[0]
    assert [" ".join(item.split()) for item in _items(counts)] == [
        "1 validées",
        "0 transmises, à valider",
        "1 non transmises",
        "1 rejetées",
    ]
    assert 'name="confirm" value="1"' in text and 'name="year" value="2007"' in text
    with sessions() as session:
        assert session.scalars(select(Consolidation)).all() == []  # nothing queued yet
    confirmed = client.post(
        "/admin/consolidations", data={"year": "2007", "csrf": csrf, "confirm": "1"}
    )
    assert confirmed.status_code == 302
    with sessions() as session:
        assert [job.year for job in session.scalars(select(Consolidation))] == [2007]


def test_complete_declarations_consolidate_at_once(
    client: FlaskClient, admin_token: str, sessions: sessionmaker[Session]
) -> None:
    _validate(sessions, 2007, ["ML-11-001", "ML-11-002", "PAIO-24-001"])
    csrf = sign_in(client, admin_token)
    admin = html.unescape(client.get("/admin?year=2007").get_data(as_text=True))
    assert "le rapport sera complet" in admin
    answer = client.post("/admin/consolidations", data={"year": "2007", "csrf": csrf})
    assert answer.status_code == 302 and "job=" in answer.headers["Location"]


def _items(fragment: str) -> list[str]:
    import re

    return [re.sub(r"<[^>]+>", "", item) for item in re.findall(r"<li>(.*?)</li>", fragment, re.S)]
