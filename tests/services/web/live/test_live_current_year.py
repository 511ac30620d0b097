"""The current year on the dashboard, compared honestly: up to its last complete month with
the same months of the year before (SPEC §4.3), said in words, its figures "à date"; its
point on the trends labelled and explained; the trends refreshed with the key figures; a
rate without denominator "n.d."; labels that agree with their value; the years with data."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from tests.support.dashboard import read_dashboard
from tests.support.events import apply_all, event, record
from tests.support.web import NNBSP, embedded_json, json_of, page_text

# 2025: four youths interviewed in March, six more in December (ten in the year, four in
# January–November). 2026: five in February, one on 3 December (six so far, five in
# January–November). Against the whole of 2025 the year would read −40 %; against
# January–November 2025 it is +25 %.
EVENTS = [
    *(event(f"a{n}", on="2025-03-10", youth=f"A{n}") for n in range(4)),
    *(event(f"d{n}", on="2025-12-10", youth=f"D{n}") for n in range(6)),
    *(event(f"b{n}", on="2026-02-10", youth=f"B{n}") for n in range(5)),
    event("c0", on="2026-12-03", youth="C0"),
]


@pytest.fixture
def two_years(sessions: sessionmaker[Session], registry: Any) -> None:
    with sessions.begin() as session:
        record(session, EVENTS, today=dt.date(2026, 12, 7))
    apply_all(sessions)


def today_is(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> None:
    """The dashboard's today (in Paris)."""
    monkeypatch.setattr("services.web.live.dashboard.paris_today", lambda: day)


def test_the_current_year_is_compared_on_its_complete_months(
    client: FlaskClient, two_years: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    today_is(monkeypatch, dt.date(2026, 12, 7))
    dashboard = json_of(client, "/donnees.json?year=2026")
    assert dashboard["figures"]["youths_interviewed"] == 6  # the year so far, provisional
    assert dashboard["comparison"] == {
        "in_progress": True,
        "through": 11,
        "sentence": "2026 n'est pas terminée : ses chiffres sont provisoires, à date du "
        "7 décembre 2026. Les évolutions portent sur les mois complets : de janvier à "
        "novembre 2026, par rapport à janvier–novembre 2025.",
    }
    change = dashboard["changes"]["youths_interviewed"]
    assert (change["absolute"], change["relative"], change["trend"]) == (1, 0.25, "up")
    assert change["display"] == (
        f"+1 (+25,0{NNBSP}%) de janvier à novembre 2026, par rapport à janvier–novembre 2025"
    )
    text = page_text(client, "/?year=2026")
    assert "Provisoire, à date" in text
    assert dashboard["comparison"]["sentence"] in text
    assert read_dashboard(text).changes["youths_interviewed"] == change["display"]
    assert "par rapport à 2025" not in text.replace("janvier–novembre 2025", "")


def test_a_year_that_has_ended_is_compared_whole(
    client: FlaskClient, two_years: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    today_is(monkeypatch, dt.date(2026, 12, 7))
    dashboard = json_of(client, "/donnees.json?year=2025")
    assert dashboard["comparison"] == {"in_progress": False, "through": None, "sentence": None}
    assert dashboard["changes"]["youths_interviewed"]["display"] == (
        "n.d. par rapport à 2024 (pas de données pour 2024)"
    )
    assert "Provisoire, à date" not in page_text(client, "/?year=2025")


def test_in_february_january_is_compared(
    client: FlaskClient, two_years: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    today_is(monkeypatch, dt.date(2026, 2, 12))
    dashboard = json_of(client, "/donnees.json?year=2026")
    assert dashboard["comparison"]["through"] == 1
    assert dashboard["comparison"]["sentence"].endswith(
        "Les évolutions portent sur les mois complets : janvier 2026, par rapport à janvier 2025."
    )
    # Nobody in January of either year: no data to compare with.
    assert dashboard["changes"]["youths_interviewed"]["display"] == (
        "n.d. par rapport à janvier 2025 (pas de données pour janvier 2025)"
    )


def test_before_its_first_month_is_complete_nothing_is_compared(
    client: FlaskClient, two_years: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    today_is(monkeypatch, dt.date(2026, 1, 20))
    dashboard = json_of(client, "/donnees.json?year=2026")
    assert dashboard["comparison"]["sentence"] == (
        "2026 n'est pas terminée : ses chiffres sont provisoires, à date du 20 janvier 2026. "
        "Aucun mois de 2026 n'est encore complet : les évolutions par rapport à 2025 ne sont "
        "pas encore disponibles (n.d.)."
    )
    assert {change["display"] for change in dashboard["changes"].values()} == {
        "n.d. : aucun mois de 2026 n'est encore complet"
    }
    assert {change["state"] for change in dashboard["changes"].values()} == {"not_available"}


def test_the_public_does_not_see_the_years_to_date_while_confidentiality_is_on(
    public: FlaskClient, two_years: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    today_is(monkeypatch, dt.date(2026, 12, 7))
    dashboard = json_of(public, "/donnees.json?year=2026")
    # The year's national figure is published exactly; both years to date are withheld.
    assert dashboard["figures"]["youths_interviewed"] == 6
    change = dashboard["changes"]["youths_interviewed"]
    assert change["state"] == "withheld"
    assert change["value"] == "s"
    assert change["display"] == (
        "s de janvier à novembre 2026, par rapport à janvier–novembre 2025"
    )


def test_the_trends_show_the_year_in_progress_as_to_date(
    client: FlaskClient, two_years: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    today_is(monkeypatch, dt.date(2026, 12, 7))
    trends = json_of(client, "/donnees.json?year=2026")["trends"]
    assert [(row["label"], row["in_progress"]) for row in trends["rows"]] == [
        ("2025", False),
        ("2026 (à date)", True),
    ]
    assert trends["chart"]["labels"] == ["2025", "2026 (à date)"]
    assert trends["chart"]["in_progress"] == [False, True]
    note = (
        "2026 (à date) : année en cours, chiffres provisoires du 1er janvier au 7 décembre "
        "2026 ; ils ne se comparent pas aux années entières."
    )
    assert trends["in_progress_note"] == note
    text = page_text(client, "/?year=2026")
    assert '<th scope="row">2026 (à date)</th>' in text
    assert note in text and "Son trait est en pointillés sur les graphiques." in text


def test_the_trends_refresh_with_the_key_figures(
    client: FlaskClient, two_years: None, sessions: sessionmaker[Session]
) -> None:
    def year_2026(dashboard: dict[str, Any]) -> dict[str, Any]:
        [row] = [row for row in dashboard["trends"]["rows"] if row["year"] == 2026]
        return row

    before = json_of(client, "/donnees.json?year=2026")
    assert year_2026(before)["values"]["youths_interviewed"] == 6
    with sessions.begin() as session:
        record(session, [event("c1", on="2026-12-04", youth="C1")], today=dt.date(2026, 12, 7))
    apply_all(sessions)
    after = json_of(client, "/donnees.json?year=2026")
    assert after["figures"]["youths_interviewed"] == 7
    assert year_2026(after)["values"]["youths_interviewed"] == 7
    assert year_2026(after)["display"]["youths_interviewed"] == "7"
    assert after["trends"]["chart"]["counts"][1]["values"][-1] == 7
    # The page's table carries what the script refills from this data.
    assert 'data-trends-rows data-columns="youths_in_contact youths_interviewed' in page_text(
        client, "/?year=2026"
    )


def test_a_rate_without_denominator_is_not_available(
    client: FlaskClient, sessions: sessionmaker[Session], registry: Any
) -> None:
    with sessions.begin() as session:
        record(
            session,
            [
                event("k", "contact", on="2007-03-01", youth="K", channel="phone"),
                event("o", "outcome", on="2007-03-02", youth="K", outcome="training"),
            ],
        )
    apply_all(sessions)
    dashboard = json_of(client, "/donnees.json?year=2007")
    assert dashboard["figures"]["access_rate"] == 0  # as SPEC §4 gives it
    assert dashboard["display"]["access_rate"] == "n.d."
    assert set(dashboard["civis_shares"].values()) == {"n.d."}  # no CIVIS exit
    march = dashboard["months"]["rows"][2]
    assert march["display"]["access_rate"] == "n.d."
    assert dashboard["trends"]["rows"][-1]["display"]["access_rate"] == "n.d."
    assert dashboard["trends"]["rows"][-1]["values"]["access_rate"] is None  # a gap, not 0
    text = page_text(client, "/?year=2007")
    shown = read_dashboard(text)
    assert shown.figures["access_rate"].text == "n.d."
    assert "0\u202f%" not in text
    # The map: n.d. in every region, outside the classes of the palette.
    regions = embedded_json(text, "map-data")
    assert {r["display"]["access_rate"] for r in regions["regions"]} == {"n.d."}
    assert {r["shades"]["access_rate"] for r in regions["regions"]} == {"nd"}
    assert regions["legends"]["access_rate"][-1] == {
        "label": "n.d. : taux non défini",
        "shade": "nd",
    }


def test_labels_agree_with_their_value(
    client: FlaskClient, sessions: sessionmaker[Session], registry: Any
) -> None:
    with sessions.begin() as session:
        record(
            session,
            [
                event("f", "first_reception", on="2007-03-01", youth="A"),
                event("i1", on="2007-03-02", youth="A"),
                event("i2", on="2007-03-03", youth="B"),
                event("x", "civis_exit", on="2007-03-04", youth="B", exit_reason="other"),
            ],
        )
    apply_all(sessions)
    dashboard = json_of(client, "/donnees.json?year=2007")
    assert dashboard["labels"]["youths_first_reception"] == "jeune en premier accueil"  # 1
    assert dashboard["labels"]["youths_interviewed"] == "jeunes reçus en entretien individuel"  # 2
    assert dashboard["labels"]["interviews"] == "entretiens individuels"  # 2
    assert dashboard["labels"]["civis_exits"] == "jeune sorti du CIVIS"  # 1
    assert dashboard["labels"]["civis_entries"] == "jeune entré en CIVIS"  # 0
    assert dashboard["labels"]["youths_training"] == "est entré en formation"  # 0
    text = page_text(client, "/?year=2007")
    for key, label in dashboard["labels"].items():
        assert re.search(rf'data-label="{key}">{re.escape(label)}</span>', text), key
    for wrong in ("1 jeunes", "0 jeunes", "1 déclarations"):
        assert wrong not in re.sub(r"<[^>]+>", " ", text).replace("  ", " ")
