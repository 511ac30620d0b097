"""The report's page: beside each key figure, its change from the previous year's frozen
report (its latest version), absolute and in %, "n.d." without one; the report's JSON and
CSV unchanged."""

from __future__ import annotations

import html
import re

from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from shared.consolidation.jobs import run_job
from shared.report.keys import REPORT_KEYS
from shared.storage.db import engine_for
from tests.support.events import apply_all, event, record
from tests.support.web import NNBSP, bearer


def consolidate(client: FlaskClient, token: str, database_url: str, year: int) -> int | None:
    job = client.post("/v1/consolidations", json={"year": year}, headers=bearer(token))
    return run_job(engine_for(database_url), job.get_json()["id"])


def changes(client: FlaskClient, url: str = "/rapports/2007") -> dict[str, str]:
    """The change printed beside each figure of the page, by key."""
    text = client.get(url).get_data(as_text=True)
    found = re.findall(
        r'<span class="year-change" data-change="(\w+)">'
        r'<span class="fr-sr-only">évolution depuis \d+ : </span>([^<]*)</span>',
        text,
    )
    return {key: html.unescape(value) for key, value in found}


def test_without_a_previous_report_every_change_is_nd(
    client: FlaskClient, admin_token: str, sessions: sessionmaker[Session], database_url: str
) -> None:
    with sessions.begin() as session:
        record(session, [event("a", on="2007-03-01", youth="A")])
    apply_all(sessions)
    consolidate(client, admin_token, database_url, 2007)
    text = client.get("/rapports/2007").get_data(as_text=True)
    assert "Aucun rapport consolidé pour 2006" in html.unescape(text)
    shown = changes(client)
    # Every figure of the blocks has its change beside it, here all n.d.
    assert set(shown) == set(REPORT_KEYS)
    assert set(shown.values()) == {"n.d."}


def test_changes_from_the_latest_version_of_the_previous_year(
    client: FlaskClient, admin_token: str, sessions: sessionmaker[Session], database_url: str
) -> None:
    # 2006: A interviewed, no access; 2007: A and B, B enters a training.
    with sessions.begin() as session:
        record(
            session,
            [
                event("a6", on="2006-03-01", youth="A"),
                event("a7", on="2007-03-01", youth="A"),
                event("b7", on="2007-03-02", youth="B"),
                event("b7-o", "outcome", on="2007-04-01", youth="B", outcome="training"),
            ],
        )
    apply_all(sessions)
    assert consolidate(client, admin_token, database_url, 2007) == 1
    before = client.get("/v1/reports/2007").get_data()
    assert consolidate(client, admin_token, database_url, 2006) == 1
    shown = changes(client)
    assert shown["youths_interviewed"] == f"+1 (+100,0{NNBSP}%)"
    assert shown["youths_with_access"] == "+1 (n.d.)"  # from zero: no relative change
    # A rate moves in points: 0 % to 50 %.
    assert shown["access_rate"] == f"+50,0{NNBSP}pts (n.d.)"
    assert shown["civis_entries"] == "0 (n.d.)"
    text = html.unescape(client.get("/rapports/2007").get_data(as_text=True))
    assert "son évolution depuis le rapport 2006 (version 1" in text

    # A second version of 2006 (a youth more): the page compares with it.
    with sessions.begin() as session:
        record(session, [event("c6", on="2006-05-01", youth="C")])
    apply_all(sessions)
    assert consolidate(client, admin_token, database_url, 2006) == 2
    shown = changes(client)
    assert shown["youths_interviewed"] == f"0 (0,0{NNBSP}%)"
    assert "son évolution depuis le rapport 2006 (version 2" in html.unescape(
        client.get("/rapports/2007").get_data(as_text=True)
    )
    # The 2007 report's JSON (and so its CSV) is the frozen document, unchanged.
    assert client.get("/v1/reports/2007").get_data() == before
    # And 2006's own page: no report for 2005, n.d.
    assert set(changes(client, "/rapports/2006").values()) == {"n.d."}
