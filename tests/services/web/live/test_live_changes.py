"""The change from the previous year beside each key figure of the dashboard (``/`` and
``/donnees.json``): absolute and relative, in French, "n.d." when the year before has no
data; withheld with statistical confidentiality where the value or the year before's is."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from shared.figures import FIGURE_KEYS
from shared.storage.models.counters import FigureCounts
from tests.support.dashboard import read_dashboard
from tests.support.events import apply_all, event, record
from tests.support.web import NNBSP, json_of

MINUS = "\u2212"

YEAR_2006 = {
    "youths_first_reception": 440_000,
    "youths_in_contact": 1_196_300,
    "youths_received": 990_000,
    "youths_interviewed": 1_000_000,
    "interviews": 3_600_000,
    "youths_with_access": 470_000,
    "youths_employment": 290_000,
    "youths_subsidized_or_work_study": 79_800,
    "youths_training": 180_000,
    "civis_entries": 180_000,
    "civis_exits": 150_000,
    "civis_exits_durable_employment": 60_000,
    "civis_exits_non_durable_employment": 10_000,
    "civis_exits_training": 0,
    "civis_exits_other": 80_000,
}
YEAR_2007 = {
    **YEAR_2006,
    "youths_in_contact": 1_234_567,
    "youths_interviewed": 995_800,
    "youths_with_access": 481_000,
    "civis_exits_training": 8_929,
}


@pytest.fixture
def two_years(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        for period, values in (("2006", YEAR_2006), ("2007", YEAR_2007)):
            session.add(FigureCounts(period=period, scope="national", **values))


def test_each_key_figure_says_its_change_in_french(client: FlaskClient, two_years: None) -> None:
    dashboard = json_of(client, "/donnees.json?year=2007")
    assert dashboard["previous_year"] == 2006
    changes = dashboard["changes"]
    assert set(changes) == set(FIGURE_KEYS)
    contact = changes["youths_in_contact"]
    assert (contact["absolute"], contact["state"], contact["trend"]) == (38_267, "change", "up")
    assert contact["relative"] == pytest.approx(38_267 / 1_196_300)
    assert contact["display"] == f"+38{NNBSP}267 (+3,2{NNBSP}%) par rapport à 2006"
    interviewed = changes["youths_interviewed"]
    assert interviewed["display"] == f"{MINUS}4{NNBSP}200 ({MINUS}0,4{NNBSP}%) par rapport à 2006"
    assert interviewed["trend"] == "down"
    # A rate changes by percentage points: 48,3 % against 47,0 %, i.e. by 2,8 %.
    rate = changes["access_rate"]
    before, now = 470_000 / 1_000_000, 481_000 / 995_800
    assert rate["absolute"] == pytest.approx(now - before)
    assert rate["display"] == f"+1,3{NNBSP}pt (+2,8{NNBSP}%) par rapport à 2006"
    # From zero: no relative change.
    training = changes["civis_exits_training"]
    assert (training["absolute"], training["relative"]) == (8_929, None)
    assert training["display"] == f"+8{NNBSP}929 (n.d.) par rapport à 2006"
    assert changes["interviews"]["display"] == f"0 (0,0{NNBSP}%) par rapport à 2006"
    assert changes["interviews"]["trend"] == "flat"


def test_the_page_shows_the_changes_beside_the_figures(
    client: FlaskClient, two_years: None
) -> None:
    response = client.get("/?year=2007")
    html = response.get_data(as_text=True)
    page = read_dashboard(html)
    dashboard = json_of(client, "/donnees.json?year=2007")
    assert page.changes == {key: change["display"] for key, change in dashboard["changes"].items()}
    # Said in words to a screen reader, the arrow only drawn.
    assert '<span class="fr-sr-only">Évolution : </span>' in html
    assert '<span class="change-arrow" aria-hidden="true"></span>' in html
    assert 'data-change="youths_in_contact" data-trend="up"' in html


def test_without_data_the_year_before_the_change_is_nd(
    client: FlaskClient, two_years: None
) -> None:
    changes = json_of(client, "/donnees.json?year=2006")["changes"]
    for change in changes.values():
        assert (change["state"], change["absolute"], change["relative"]) == (
            "not_available",
            None,
            None,
        )
        assert change["display"] == "n.d. par rapport à 2005 (pas de données pour 2005)"
    page = read_dashboard(client.get("/?year=2006").get_data(as_text=True))
    assert set(page.changes.values()) == {"n.d. par rapport à 2005 (pas de données pour 2005)"}


# Île-de-France: in 2006, six youths in contact at each structure, three of Paris's
# interviewed; in 2007, seven interviewed at Paris, six at Créteil.
SMALL_2006 = [
    *(event(f"p{n}", "contact", on="2006-05-02", youth=f"P{n}", channel="phone") for n in range(6)),
    *(event(f"pi{n}", "interview", on="2006-05-03", youth=f"P{n}") for n in range(3)),
    *(
        event(
            f"c{n}",
            "contact",
            on="2006-05-02",
            structure="ML-11-002",
            youth=f"C{n}",
            channel="visit",
        )
        for n in range(6)
    ),
]
SMALL_2007 = [
    *(event(f"a{n}", "interview", on="2007-03-05", youth=f"A{n}") for n in range(7)),
    *(
        event(f"b{n}", "interview", on="2007-03-06", structure="ML-11-002", youth=f"B{n}")
        for n in range(6)
    ),
]


@pytest.fixture
def small(sessions: sessionmaker[Session], registry: Any) -> None:
    with sessions.begin() as session:
        record(session, [*SMALL_2006, *SMALL_2007])
    apply_all(sessions)


def test_a_change_is_withheld_when_the_year_before_is(public: FlaskClient, small: None) -> None:
    before = json_of(public, "/v1/figures?year=2006&structure=ML-11-001")
    assert before["figures"]["youths_interviewed"] is None  # 3: withheld
    assert before["figures"]["youths_in_contact"] == 6
    dashboard = json_of(public, "/donnees.json?year=2007&structure=ML-11-001")
    assert dashboard["figures"]["youths_interviewed"] == 7  # published…
    interviewed = dashboard["changes"]["youths_interviewed"]
    # … but not its change: 7 − 4 would give the 3 of 2006 back.
    assert (interviewed["absolute"], interviewed["relative"], interviewed["state"]) == (
        None,
        None,
        "withheld",
    )
    # The page's one mark, which claims nothing about the value.
    assert (interviewed["value"], interviewed["display"]) == ("s", "s par rapport à 2006")
    assert "+4" not in str(dashboard["changes"]) and "57,1" not in str(dashboard["changes"])
    # The access rate of 2006 hides with the count it is the quotient of.
    assert dashboard["changes"]["access_rate"]["state"] == "withheld"
    contact = dashboard["changes"]["youths_in_contact"]
    assert contact["display"] == f"+1 (+16,7{NNBSP}%) par rapport à 2006"
    html = public.get("/?year=2007&structure=ML-11-001").get_data(as_text=True)
    page = read_dashboard(html)
    assert page.changes["youths_interviewed"] == interviewed["display"]
    # The mark in its <abbr>, as every withheld value.
    assert (
        '<span class="change-text"><span class="change-value"><abbr class="withheld" '
        'title="Secret statistique : valeur non publiée">s</abbr></span> par rapport à 2006'
    ) in html


def test_the_exact_reader_gets_every_change(
    public: FlaskClient, small: None, admin_token: str
) -> None:
    response = public.get(
        "/donnees.json?year=2007&structure=ML-11-001",
        headers={"Authorization": f"Bearer {admin_token}"},
    )
    changes = response.get_json()["changes"]
    assert changes["youths_interviewed"]["absolute"] == 4
    assert changes["youths_interviewed"]["display"] == f"+4 (+133,3{NNBSP}%) par rapport à 2006"


def test_changes_follow_the_live_counters(client: FlaskClient, two_years: None) -> None:
    # The year before is read from the counters like the year: one more cell.
    api = {year: json_of(client, f"/v1/figures?year={year}")["figures"] for year in (2006, 2007)}
    changes = json_of(client, "/donnees.json?year=2007")["changes"]
    for key in FIGURE_KEYS:
        assert changes[key]["absolute"] == pytest.approx(api[2007][key] - api[2006][key]), key
