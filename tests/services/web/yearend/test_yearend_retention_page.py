"""``/admin/donnees-personnelles``: each year's state (live, frozen, purged) and what blocks
the purge of the others, in French, for admins only; the retention setting said."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from shared.consolidation.jobs import consolidate
from shared.retention.purge import purge_through
from tests.support.events import event, record
from tests.support.retention import load
from tests.support.web import connect, sign_in

PAGE = "/admin/donnees-personnelles"


def row(page: str, year: int) -> str:
    found = re.search(rf'<tr id="year-{year}" data-state="(\w+)">(.*?)</tr>', page, re.S)
    assert found, year
    return f"{found.group(1)} {found.group(2)}"


def test_each_year_its_state_and_what_blocks_its_purge(
    app: Flask, client: FlaskClient, sessions: sessionmaker[Session], tokens: dict[str, str]
) -> None:
    load(sessions)
    engine = sessions.kw["bind"]
    for year in (2005, 2006):
        consolidate(engine, year)
    purge_through(engine, 2005)
    consolidate(engine, 2007)
    with sessions.begin() as session:  # a 2007 event recorded after its report, not applied
        record(session, [event("late-2007", youth="Y-late", on="2007-12-01")])

    sign_in(client, tokens["admin"])
    assert 'id="retention-link"' in client.get("/admin").get_data(as_text=True)
    page = client.get(PAGE).get_data(as_text=True)
    assert row(page, 2005).startswith("purged ")
    assert "purgée le" in row(page, 2005) and "événements supprimés" in row(page, 2005)
    assert row(page, 2006).startswith("frozen ") and "rien : peut être purgée" in row(page, 2006)
    blocked = row(page, 2007)
    assert blocked.startswith("frozen ")
    assert "des événements de l&#39;année attendent d&#39;être comptés" in blocked
    assert "un événement a été enregistré après son dernier rapport" in blocked
    assert "Aucune purge automatique" in page

    settings = replace(app.config["SETTINGS"], retention_years=2)
    app.config["SETTINGS"] = settings
    page = client.get(PAGE).get_data(as_text=True)
    assert "les années jusqu'à" in page and "(à purger)" in row(page, 2006)
    assert "(à purger)" not in row(page, 2005)  # already purged


def test_for_admins_only(client: FlaskClient, tokens: dict[str, str], registry: Any) -> None:
    assert client.get(PAGE).status_code == 401
    connect(client, tokens["paris"])
    assert client.get(PAGE).status_code == 403
