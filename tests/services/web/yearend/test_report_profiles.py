"""The frozen report's ``profiles`` (SPEC §5): the nation's profile rows as the live counters
hold them at consolidation, and, for a reader without a token while confidentiality is on,
withheld as the live breakdowns by profile are."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from tests.support.events import apply_all, event, record
from tests.support.web import bearer, consolidate_now


def first(event_id: str, youth: str, profile: dict[str, Any], **fields: Any) -> dict[str, Any]:
    found = event(event_id, "first_reception", youth=youth, **fields)
    found["youth"] = profile
    return found


EVENTS = [
    first("fa", "A", {"sex": "F", "birth_year": 1990, "education_level": "Vbis"}),
    event("ia", youth="A"),
    first("fb", "B", {"sex": "M", "birth_year": 1985}, structure="PAIO-24-001"),
    # B's earlier profile, from 2006, wins: a woman without birth year nor level.
    first("fb0", "B", {"sex": "F"}, on="2006-02-02"),
    first("fc", "C", {}, structure="ML-11-002"),
]


def test_the_report_holds_the_nations_profile_rows(
    client: FlaskClient, admin_token: str, sessions: sessionmaker[Session], database_url: str
) -> None:
    with sessions.begin() as session:
        record(session, EVENTS)
    apply_all(sessions)
    assert consolidate_now(client, admin_token, database_url) == 1
    profiles = client.get("/v1/reports/2007").get_json()["profiles"]
    live = {
        by: {
            row["key"]: row["figures"]
            for row in client.get(f"/v1/figures/breakdown?year=2007&by={by}").get_json()["rows"]
        }
        for by in ("sex", "age", "education_level")
    }
    assert profiles == live
    assert profiles["sex"]["F"]["youths_first_reception"] == 2
    assert profiles["age"]["16_17"]["youths_interviewed"] == 1
    assert profiles["age"]["unknown"]["youths_first_reception"] == 2
    assert profiles["education_level"]["Vbis"]["interviews"] == 1


def test_withheld_from_readers_without_a_token_when_confidentiality_is_on(
    client: FlaskClient, admin_token: str, sessions: sessionmaker[Session], database_url: str
) -> None:
    with sessions.begin() as session:
        record(session, EVENTS)
    apply_all(sessions)
    consolidate_now(client, admin_token, database_url)
    exact = client.get("/v1/reports/2007")
    app = client.application
    app.config["SETTINGS"] = dataclasses.replace(app.config["SETTINGS"], public_min_count=5)
    public = client.get("/v1/reports/2007")
    assert "X-Report-SHA256" not in public.headers  # not the frozen bytes
    assert "Authorization" in public.headers["Vary"]
    body = public.get_json()
    assert body["figures"] == exact.get_json()["figures"]
    assert all(
        value is None
        for rows in body["profiles"].values()
        for values in rows.values()
        for value in values.values()
    )
    signed = client.get("/v1/reports/2007", headers=bearer(admin_token))
    assert signed.get_data() == exact.get_data()
    assert signed.headers["X-Report-SHA256"] == hashlib.sha256(exact.get_data()).hexdigest()
    answer = client.get("/v1/reports/2007.csv").get_data().decode("utf-8-sig")
    rows = {row[6]: row for row in csv.reader(io.StringIO(answer), delimiter=";")}
    assert rows["youths_first_reception.sex.F"][4] == "s"
