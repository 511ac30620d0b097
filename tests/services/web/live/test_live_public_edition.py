"""The public edition as readers without a token meet it (services/web/live/public.py,
shared/publication/edition.py): every route serves the latest published edition — its values, its
withheld keys, its time as ``as_of``, the events it lacks as ``pending_events`` (SPEC §5) —
under its ETag, and changes only when an edition is published; exact readers read the live
counters; with the rule off nothing is published."""

from __future__ import annotations

import datetime as dt
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from services.web.db import read_session
from services.web.live import dashboard as dashboard_module
from services.web.live import public
from shared.publication.edition import edition_state, publish
from shared.storage.models.publication import PublicEdition
from tests.services.web.live.conftest import MIN_COUNT
from tests.support.dashboard import csv_table, read_dashboard
from tests.support.events import apply_all, event, record
from tests.support.web import bearer, json_of

PARIS = "structure=ML-11-001"
# 2007: six youths interviewed at Paris and six at Créteil (published), one of each with a
# job (withheld).
FIRST = [
    *(
        event(f"{sid}{n}", "interview", on="2007-03-05", structure=sid, youth=f"{sid}-{n}")
        for sid in ("ML-11-001", "ML-11-002")
        for n in range(6)
    ),
    *(
        event(
            f"{sid}-o",
            "outcome",
            on="2007-04-02",
            structure=sid,
            youth=f"{sid}-0",
            outcome="employment",
        )
        for sid in ("ML-11-001", "ML-11-002")
    ),
]
# Later: two more interviewed at Paris.
LATER = [event(f"q{n}", "interview", on="2007-05-07", youth=f"Q{n}") for n in range(2)]
JSON_ROUTES = [
    f"/v1/figures?year=2007&{PARIS}",
    "/v1/figures/breakdown?year=2007&by=structure&region=11",
    f"/v1/figures/series?from=2006&to=2007&{PARIS}",
    f"/donnees.json?year=2007&{PARIS}",
]


def recorded(sessions: sessionmaker[Session], events: list[dict[str, Any]]) -> None:
    with sessions.begin() as session:
        record(session, events)


def published_now(sessions: sessionmaker[Session]) -> None:
    """What the workers' publisher does at its next pace."""
    with sessions.begin() as session:
        assert publish(session, MIN_COUNT) is not None


def editions(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(PublicEdition)) or 0)


def interviewed_everywhere(client: FlaskClient, headers: dict[str, str] | None = None) -> list[Any]:
    """Paris's interviewed youths of 2007 in every route's answer."""
    headers = headers or {}
    figures = client.get(JSON_ROUTES[0], headers=headers).get_json()
    breakdown = client.get(JSON_ROUTES[1], headers=headers).get_json()
    series = client.get(JSON_ROUTES[2], headers=headers).get_json()
    dashboard = client.get(JSON_ROUTES[3], headers=headers).get_json()
    page = read_dashboard(
        client.get(f"/?year=2007&{PARIS}", headers=headers).get_data(as_text=True)
    )
    rows = csv_table(client, "/export.csv?year=2007&region=11")
    [paris_line] = [line for line in rows if line[3:4] == ["ML-11-001"]]
    return [
        figures["figures"]["youths_interviewed"],
        {row["key"]: row["figures"]["youths_interviewed"] for row in breakdown["rows"]}[
            "ML-11-001"
        ],
        series["rows"][-1]["figures"]["youths_interviewed"],
        dashboard["figures"]["youths_interviewed"],
        page.figures["youths_interviewed"].text,
        paris_line[4 + 3],  # Année, Périmètre, Structure, Code, then interviewed is 4th
    ]


def test_every_route_serves_the_edition_and_changes_only_at_its_publication(
    public: FlaskClient, sessions: sessionmaker[Session], registry: Any, admin_token: str
) -> None:
    recorded(sessions, FIRST)
    apply_all(sessions)
    assert editions(sessions) == 0
    # The first public request publishes the first edition (no worker ran yet).
    assert interviewed_everywhere(public) == [6, 6, 6, 6, "6", "6"]
    assert editions(sessions) == 1
    recorded(sessions, LATER)
    apply_all(sessions)
    # Applied, not published: readers without a token still read the edition…
    assert interviewed_everywhere(public) == [6, 6, 6, 6, "6", "6"]
    # … while a token reads the live counters.
    exact = json_of_with(public, JSON_ROUTES[0], admin_token)
    assert exact["figures"]["youths_interviewed"] == 8 and "suppressed" not in exact
    assert editions(sessions) == 1
    published_now(sessions)
    assert interviewed_everywhere(public) == [8, 8, 8, 8, "8", "8"]
    # The withheld keys are the edition's: Paris's one job stays withheld.
    answer = json_of(public, JSON_ROUTES[0])
    assert answer["figures"]["youths_employment"] is None
    assert "youths_employment" in answer["suppressed"]


def json_of_with(client: FlaskClient, url: str, token: str) -> dict[str, Any]:
    response = client.get(url, headers=bearer(token))
    assert response.status_code == 200
    answer: dict[str, Any] = response.get_json()
    return answer


def test_as_of_is_the_editions_time_and_pending_the_events_not_in_it(
    public: FlaskClient, public_app: Flask, sessions: sessionmaker[Session], registry: Any
) -> None:
    recorded(sessions, FIRST)
    apply_all(sessions)
    first = json_of(public, JSON_ROUTES[0])
    with sessions() as session:
        state = edition_state(session)
    assert state is not None
    assert dt.datetime.fromisoformat(first["as_of"]) == state.published_at
    assert first["pending_events"] == 0
    recorded(sessions, LATER)  # recorded, not applied: 2 pending
    assert json_of(public, JSON_ROUTES[0])["pending_events"] == 2
    apply_all(sessions)  # applied, not in the edition: still 2 missing from it
    later = json_of(public, JSON_ROUTES[0])
    assert (later["pending_events"], later["as_of"]) == (2, first["as_of"])
    dashboard = json_of(public, JSON_ROUTES[3])
    assert dashboard["pending_events"] == 2
    assert dashboard["freshness"] == "2 événements en cours d'intégration"
    published_now(sessions)
    latest = json_of(public, JSON_ROUTES[0])
    assert latest["pending_events"] == 0 and latest["as_of"] > first["as_of"]
    assert json_of(public, JSON_ROUTES[2])["as_of"] == latest["as_of"]
    # The page's data to the second, as it shows it.
    assert json_of(public, JSON_ROUTES[3])["as_of"] == latest["as_of"][:19] + "Z"


# Each route, and whether its answer shows the pending count.
ETAG_ROUTES = [
    (JSON_ROUTES[0], True),
    (JSON_ROUTES[1], False),
    (JSON_ROUTES[2], True),
    (JSON_ROUTES[3], True),
    (f"/?year=2007&{PARIS}", True),
    ("/export.csv?year=2007", False),
]


@pytest.mark.parametrize(("url", "shows_pending"), ETAG_ROUTES)
def test_the_etag_is_the_editions(
    public: FlaskClient,
    sessions: sessionmaker[Session],
    registry: Any,
    url: str,
    shows_pending: bool,
) -> None:
    recorded(sessions, FIRST)
    apply_all(sessions)
    first = public.get(url)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    with sessions() as session:
        state = edition_state(session)
    assert state is not None
    modified = parsedate_to_datetime(first.headers["Last-Modified"])
    assert modified == state.published_at.replace(microsecond=0)
    assert public.get(url, headers={"If-None-Match": etag}).status_code == 304
    # Events recorded and applied, not published: the same edition. An answer that shows the
    # events not in it changes with their count; another one does not change at all.
    recorded(sessions, LATER)
    apply_all(sessions)
    missing = public.get(url, headers={"If-None-Match": etag})
    assert missing.status_code == (200 if shows_pending else 304)
    again = missing.headers["ETag"]
    assert (again != etag) == shows_pending
    assert public.get(url, headers={"If-None-Match": again}).status_code == 304
    published_now(sessions)
    assert public.get(url, headers={"If-None-Match": again}).status_code == 200


def test_with_the_rule_off_nothing_is_published(
    client: FlaskClient, sessions: sessionmaker[Session], registry: Any
) -> None:
    recorded(sessions, FIRST)
    apply_all(sessions)
    assert json_of(client, JSON_ROUTES[0])["figures"]["youths_employment"] == 1
    recorded(sessions, LATER)
    apply_all(sessions)
    assert interviewed_everywhere(client) == [8, 8, 8, 8, "8", "8"]
    assert editions(sessions) == 0


def test_a_cell_the_edition_does_not_hold_is_withheld_whole(
    public_app: Flask, sessions: sessionmaker[Session], registry: Any, admin_token: str
) -> None:
    # A structure's month: a kind of cell the rule does not protect yet.
    recorded(sessions, FIRST)
    apply_all(sessions)
    cell = ("2007-03", "structure:ML-11-001")
    live = {key: 0 for key in ("youths_interviewed",)}
    with public_app.test_request_context("/"):
        public.current_edition()
        with read_session() as session:
            dashboard = public.reading_for(session, [cell, ("2007", "structure:ML-11-001")])
        shown = dashboard.shown(
            cell, {**dashboard.values_of(cell), **live, "youths_interviewed": 6}
        )
        assert set(shown.values()) == {None}
        assert dashboard.shown(("2007", "structure:ML-11-001"))["youths_interviewed"] == 6
    with public_app.test_request_context("/", headers=bearer(admin_token)):
        with read_session() as session:
            dashboard = public.reading_for(session, [cell])
        assert dashboard.suppressed(cell) is None
        assert (
            dashboard.shown(cell, {**dashboard.values_of(cell), "youths_interviewed": 6})[
                "youths_interviewed"
            ]
            == 6
        )


def test_the_readers_of_one_edition_share_one_build(
    public: FlaskClient,
    sessions: sessionmaker[Session],
    registry: Any,
    admin_token: str,
    monkeypatch: Any,
) -> None:
    recorded(sessions, FIRST)
    apply_all(sessions)
    builds: list[Any] = []
    build = dashboard_module.build_dashboard

    def counted(*args: Any) -> Any:
        builds.append(args[1])
        return build(*args)

    monkeypatch.setattr(dashboard_module, "build_dashboard", counted)
    url = f"/donnees.json?year=2007&{PARIS}"
    assert json_of(public, url)["pending_events"] == 0
    recorded(sessions, LATER)  # two events pending: a new answer, not a new build
    assert json_of(public, url)["pending_events"] == 2
    page = public.get(f"/?year=2007&{PARIS}").get_data(as_text=True)
    assert "2 événements en cours d'intégration" in page
    assert len(builds) == 1
    # A token's reader builds from the live counters each time.
    response = public.get(url, headers=bearer(admin_token))
    assert response.get_json()["pending_events"] == 2 and len(builds) == 2
    apply_all(sessions)
    published_now(sessions)  # a new edition: a new build
    assert json_of(public, url)["figures"]["youths_interviewed"] == 8
    assert len(builds) == 3


def test_an_edition_of_another_threshold_is_never_served(
    public: FlaskClient, sessions: sessionmaker[Session], registry: Any, caplog: Any
) -> None:
    recorded(sessions, FIRST)
    apply_all(sessions)
    with sessions.begin() as session:  # a worker started with another threshold
        assert publish(session, 1) is not None
    # At 1 nothing is withheld; this web's answer is an edition at 5: Paris's one job withheld.
    answer = json_of(public, JSON_ROUTES[0])
    assert answer["figures"]["youths_employment"] is None
    with sessions() as session:
        state = edition_state(session)
    assert state is not None and (state.edition, state.min_count) == (2, MIN_COUNT)
    assert "every process must have the same" in caplog.text
