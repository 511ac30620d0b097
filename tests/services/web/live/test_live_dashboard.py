"""The dashboard's document: ``/`` and ``/donnees.json`` with their filters.

Every figure they show must be the live counters' (the same as ``/v1/figures``),
every bad filter must get a French error with the right status.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from services.web.formatting import alphabetical
from services.web.live.tables import COLUMNS
from shared.figures import FIGURE_KEYS
from shared.profiles import DIMENSIONS
from shared.regions import REGIONS
from tests.support.web import NNBSP
from tests.support.web import json_of as data
from tests.support.web import page_text as page


@pytest.mark.parametrize(
    "query", ["", "&region=11", "&region=24", "&structure=ML-11-002", "&structure=PAIO-24-001"]
)
def test_dashboard_figures_are_the_live_figures(
    client: FlaskClient, counted: None, query: str
) -> None:
    dashboard = data(client, f"/donnees.json?year=2007{query}")
    api = data(client, f"/v1/figures?year=2007{query}")
    assert dashboard["figures"] == api["figures"]
    assert dashboard["scope"]["level"] == api["scope"]["level"]
    assert dashboard["scope"]["id"] == api["scope"]["id"]
    assert dashboard["pending_events"] == 0
    assert dashboard["freshness"] == "à jour"
    assert set(dashboard["display"]) == set(FIGURE_KEYS)


def test_dashboard_national(client: FlaskClient, counted: None) -> None:
    dashboard = data(client, "/donnees.json?year=2007")
    assert dashboard["scope"] == {
        "level": "national",
        "id": None,
        "label": "France entière",
        "region": None,
    }
    assert dashboard["display"]["access_rate"] == f"100{NNBSP}%"
    assert dashboard["civis_shares"] == {
        "civis_exits_durable_employment": f"100{NNBSP}%",
        "civis_exits_non_durable_employment": f"0{NNBSP}%",
        "civis_exits_training": f"0{NNBSP}%",
        "civis_exits_other": f"0{NNBSP}%",
    }
    breakdown = dashboard["breakdown"]
    assert breakdown["by"] == "region"
    assert len(breakdown["rows"]) == 26
    # French alphabetical order by default: accents ignored.
    labels = [row["label"] for row in breakdown["rows"]]
    assert labels == sorted(REGIONS.values(), key=alphabetical)
    assert labels.index("Île-de-France") < labels.index("Languedoc-Roussillon")
    rows = {row["key"]: row for row in breakdown["rows"]}
    api = data(client, "/v1/figures/breakdown?year=2007&by=region")
    for row in api["rows"]:
        assert rows[row["key"]]["figures"] == row["figures"]
    assert rows["11"]["href"] == "/?year=2007&region=11"
    # Months: the month plays the role of the year.
    months = dashboard["months"]
    assert months["within"] == "France entière"
    assert [row["key"] for row in months["rows"]] == [f"2007-{m:02d}" for m in range(1, 13)]
    assert months["rows"][2]["label"] == "mars 2007"
    assert months["rows"][2]["figures"]["interviews"] == 2
    api = data(client, "/v1/figures/breakdown?year=2007&by=month")
    assert [r["figures"] for r in months["rows"]] == [r["figures"] for r in api["rows"]]


def test_dashboard_of_a_region_breaks_down_by_structure(client: FlaskClient, counted: None) -> None:
    dashboard = data(client, "/donnees.json?year=2007&region=11")
    assert dashboard["scope"]["label"] == "Île-de-France"
    assert dashboard["breakdown"]["by"] == "structure"
    assert dashboard["breakdown"]["within"] == "Île-de-France"
    rows = dashboard["breakdown"]["rows"]
    assert [row["key"] for row in rows] == ["ML-11-002", "ML-11-001"]  # Créteil, Paris
    assert rows[0]["href"] == "/?year=2007&structure=ML-11-002"
    assert not any(row["current"] for row in rows)
    assert dashboard["months"]["within"] == "Île-de-France"
    assert dashboard["months"]["rows"][1]["figures"]["interviews"] == 1


def test_dashboard_of_a_structure_shows_its_region(client: FlaskClient, counted: None) -> None:
    dashboard = data(client, "/donnees.json?year=2007&structure=PAIO-24-001")
    assert dashboard["scope"] == {
        "level": "structure",
        "id": "PAIO-24-001",
        "label": "PAIO de Chartres",
        "region": "24",
    }
    assert dashboard["figures"]["youths_with_access"] == 1  # Y4 (Y2 was interviewed elsewhere)
    rows = dashboard["breakdown"]["rows"]
    assert [(row["key"], row["current"]) for row in rows] == [("PAIO-24-001", True)]
    # Its own months, not its region's.
    assert dashboard["months"]["within"] == "PAIO de Chartres"
    months = {row["key"]: row["figures"] for row in dashboard["months"]["rows"]}
    assert months["2007-02"]["youths_received"] == 1  # Y2's workshop
    assert months["2007-02"]["youths_interviewed"] == 0  # Y2's interview was in Paris
    assert months["2007-07"]["youths_with_access"] == 1  # Y4
    assert sum(month["youths_in_contact"] for month in months.values()) == 3


def test_structure_wins_over_region(client: FlaskClient, counted: None) -> None:
    dashboard = data(client, "/donnees.json?year=2007&region=24&structure=ML-11-002")
    assert dashboard["scope"]["id"] == "ML-11-002"


def test_breakdown_sorts(client: FlaskClient, counted: None) -> None:
    dashboard = data(client, "/donnees.json?year=2007&sort=youths_interviewed&order=desc")
    rows = dashboard["breakdown"]["rows"]
    assert [row["key"] for row in rows[:2]] == ["11", "24"]
    values = [row["figures"]["youths_interviewed"] for row in rows]
    assert values == sorted(values, reverse=True)
    dashboard = data(client, "/donnees.json?year=2007&sort=label&order=desc")
    assert dashboard["breakdown"]["rows"][0]["label"] == "Rhône-Alpes"


def test_page_sort_links_keep_the_filters(client: FlaskClient, counted: None) -> None:
    text = page(client, "/?year=2007&region=11&sort=interviews&order=desc")
    assert '<th scope="col" class="num" aria-sort="descending">' in text
    assert 'href="/?year=2007&region=11&sort=interviews#repartition"' in text  # asc next
    assert 'href="/?year=2007&region=11&sort=youths_in_contact&order=desc#repartition"' in text
    assert 'href="/?year=2007&region=11#repartition"' in text  # by name, A→Z: the default
    assert '<input type="hidden" name="sort" value="interviews">' in text
    assert '<input type="hidden" name="order" value="desc">' in text
    assert 'data-url="/donnees.json?year=2007&region=11&sort=interviews&order=desc"' in text
    assert 'href="/export.csv?year=2007&region=11&sort=interviews&order=desc"' in text


def test_page_renders_everything_without_javascript(client: FlaskClient, counted: None) -> None:
    text = page(client, "/?year=2007")
    # The three blocks of the report's page, their figures and a definition of each.
    for title in ("Jeunes accompagnés", "Accès à l'emploi ou à la formation", "CIVIS"):
        assert f">{title}</h2>" in text
    assert text.count('class="definition') == len(FIGURE_KEYS)
    assert "Les « jeunes accompagnés »" in text
    assert re.search(
        r'data-share="civis_exits_durable_employment">100\u202f%</span> des sorties', text
    )
    # The tables, one row per region and per month, with the French numbers.
    # A row per region and month, and the breakdown's total: the nation's own figures.
    # (And the map's table, a row per region, and the trends', one year in this log; the
    # profiles', a row per category of each dimension and their totals.)
    profile_rows = sum(len(keys) + 1 for keys in DIMENSIONS.values())
    assert text.count('<th scope="row">') == 26 + 12 + 1 + 26 + 1 + profile_rows
    assert (
        '<tr class="total">\n                    <th scope="row">Ensemble — France entière</th>'
        in text
    )
    # Each region links to its dashboard, in the breakdown and in the map's table.
    assert text.count('<th scope="row"><a href="/?year=2007&region=') == 26 * 2
    assert 'aria-sort="ascending"' in text
    assert "Par région" in text
    assert "Mois par mois — France entière" in text
    assert '<td class="num">100\u202f%</td>' in text
    for key, heading in COLUMNS:
        assert heading in text, key
    # The charts' canvases, described for screen readers, and the dashboard for the script.
    for chart in ("access", "civis", "months", "breakdown"):
        assert f'<canvas id="chart-{chart}" role="img" aria-label="' in text
    assert '<script type="application/json" id="dashboard-data">{"year":2007,' in text
    # The year select lists the years with data and the current one, the chosen one selected.
    years = re.findall(r'<option value="(\d{4})"', text.partition('id="filter-year"')[2])
    assert years[: years.index("2007") + 1] == [str(dt.date.today().year), "2007"]
    assert '<option value="2007" selected>' in text
    assert '<option value="1982">' not in text


def test_page_of_a_structure_names_it_and_its_region(client: FlaskClient, counted: None) -> None:
    text = page(client, "/?year=2007&structure=ML-11-002")
    assert 'Chiffres clés 2007 <span class="scope">— Mission locale de Créteil</span>' in text
    assert "Par structure — Île-de-France" in text
    assert '<tr class="current" aria-current="true">' in text
    assert "Mois par mois — Mission locale de Créteil" in text
    assert "Entretiens individuels par mois — Mission locale de Créteil" in text


def test_dashboard_json_escapes_script_end(
    client: FlaskClient, sessions: sessionmaker[Session], database_url: str
) -> None:
    from shared.registry import StructureFields, upsert_structure

    with sessions.begin() as session:
        fields = StructureFields(name="</script><b>ML", kind="mission_locale", region="11")
        upsert_structure(session, "ML-11-999", fields)
    response = client.get("/?year=2007&region=11")
    raw = response.get_data(as_text=True)
    assert "</script><b>" not in raw
    assert "\\u003c/script\\u003e" in raw


@pytest.mark.parametrize(
    ("query", "status", "code", "message"),
    [
        ("year=abc", 400, "invalid_year", "L'année demandée n'est pas valide."),
        ("year=1970", 400, "invalid_year", "L'année demandée n'est pas valide."),
        ("year=3000", 400, "invalid_year", "L'année demandée n'est pas valide."),
        ("year=2007&region=99", 404, "unknown_region", "Cette région n'existe pas."),
        (
            "year=2007&structure=NOPE",
            404,
            "unknown_structure",
            "Cette structure n'est pas dans le répertoire.",
        ),
        ("year=2007&sort=bogus", 400, "invalid_sort", "Le tri demandé n'est pas valide."),
        ("year=2007&order=up", 400, "invalid_sort", "Le tri demandé n'est pas valide."),
    ],
)
def test_bad_filters_get_french_errors(
    client: FlaskClient, query: str, status: int, code: str, message: str
) -> None:
    text = page(client, f"/?{query}", status)
    assert message in text
    assert 'role="alert"' in text
    assert "data-figure=" not in text
    # The page still offers its filters to correct the mistake.
    assert 'id="filter-region"' in text
    for route in ("/donnees.json", "/export.csv"):
        response = client.get(f"{route}?{query}")
        assert response.status_code == status
        assert response.get_json() == {"error": code, "message": message}


def test_structure_select_follows_the_registry(
    client: FlaskClient, sessions: sessionmaker[Session]
) -> None:
    from shared.registry import StructureFields, upsert_structure

    text = page(client, "/")
    assert '<optgroup label="Centre"><option value="PAIO-24-001">PAIO de Chartres</option>' in text
    # Île-de-France among the I's, not after Z; its structures by name.
    assert text.index('<option value="24">Centre') < text.index('<option value="11">Île')
    assert text.index('<option value="11">Île') < text.index('<option value="91">Languedoc')
    assert text.index("Mission locale de Créteil") < text.index("Mission locale de Paris")
    assert "Mission locale d'Évry" not in text
    with sessions.begin() as session:
        fields = StructureFields(name="Mission locale d'Évry", kind="mission_locale", region="11")
        upsert_structure(session, "ML-11-003", fields)
    text = page(client, "/?structure=ML-11-003")
    assert '<option value="ML-11-003" selected>Mission locale d\'Évry</option>' in text
    # The structure, the year, and the structure's region in the Région select.
    assert text.count(" selected>") == 3
    assert '<option value="11" selected>Île-de-France</option>' in text
