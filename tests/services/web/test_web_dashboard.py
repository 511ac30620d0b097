"""The dashboard's routes: ``/`` with its filters, ``/donnees.json``, ``/export.csv``, ``/vendor``.

Every figure they show must be the live counters' (the same as ``/v1/figures``),
every bad filter must get a French error with the right status.
"""

from __future__ import annotations

import csv
import html
import io
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from services.web.live.view import COLUMNS, alphabetical
from shared.figures import FIGURE_KEYS
from shared.regions import REGIONS
from tests.support.events import apply_all, event, record
from tests.support.web import make_app

NNBSP = "\u202f"

# Y1: two structures of region 11, a job; Y2: region 11 then a training in 24 (Centre);
# Y3: CIVIS in and out; Y4: a subsidised job in 24.
EVENTS = [
    event("y1-fr", "first_reception", on="2007-01-10", youth="Y1"),
    event("y1-i1", "interview", on="2007-03-15", youth="Y1"),
    event("y1-i2", "interview", on="2007-03-20", structure="ML-11-002", youth="Y1"),
    event(
        "y1-o", "outcome", on="2007-04-01", structure="ML-11-002", youth="Y1", outcome="employment"
    ),
    event("y2-i", "interview", on="2007-02-01", youth="Y2"),
    event("y2-w", "workshop", on="2007-02-05", structure="PAIO-24-001", youth="Y2"),
    event(
        "y2-o", "outcome", on="2007-05-01", structure="PAIO-24-001", youth="Y2", outcome="training"
    ),
    event("y3-c", "contact", on="2007-06-01", youth="Y3", channel="phone"),
    event("y3-ce", "civis_entry", on="2007-06-01", youth="Y3"),
    event("y3-cx", "civis_exit", on="2007-12-01", youth="Y3", exit_reason="durable_employment"),
    event("y4-i", "interview", on="2007-07-01", structure="PAIO-24-001", youth="Y4"),
    event(
        "y4-o",
        "outcome",
        on="2007-07-02",
        structure="PAIO-24-001",
        youth="Y4",
        outcome="subsidized_employment",
    ),
]


@pytest.fixture
def counted(sessions: sessionmaker[Session], registry: Any) -> None:
    with sessions.begin() as session:
        record(session, EVENTS)
    apply_all(sessions)


def data(client: FlaskClient, url: str, status: int = 200) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def page(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize(
    "query", ["", "&region=11", "&region=24", "&structure=ML-11-002", "&structure=PAIO-24-001"]
)
def test_view_figures_are_the_live_figures(client: FlaskClient, counted: None, query: str) -> None:
    view = data(client, f"/donnees.json?year=2007{query}")
    api = data(client, f"/v1/figures?year=2007{query}")
    assert view["figures"] == api["figures"]
    assert view["scope"]["level"] == api["scope"]["level"]
    assert view["scope"]["id"] == api["scope"]["id"]
    assert view["pending_events"] == 0
    assert view["freshness"] == "à jour"
    assert set(view["display"]) == set(FIGURE_KEYS)


def test_view_national(client: FlaskClient, counted: None) -> None:
    view = data(client, "/donnees.json?year=2007")
    assert view["scope"] == {"level": "national", "id": None, "label": "France entière"}
    assert view["display"]["access_rate"] == f"100{NNBSP}%"
    assert view["civis_shares"] == {
        "civis_exits_durable_employment": f"100{NNBSP}%",
        "civis_exits_non_durable_employment": f"0{NNBSP}%",
        "civis_exits_training": f"0{NNBSP}%",
        "civis_exits_other": f"0{NNBSP}%",
    }
    breakdown = view["breakdown"]
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
    months = view["months"]
    assert months["within"] == "France entière"
    assert [row["key"] for row in months["rows"]] == [f"2007-{m:02d}" for m in range(1, 13)]
    assert months["rows"][2]["label"] == "mars 2007"
    assert months["rows"][2]["figures"]["interviews"] == 2
    api = data(client, "/v1/figures/breakdown?year=2007&by=month")
    assert [r["figures"] for r in months["rows"]] == [r["figures"] for r in api["rows"]]


def test_view_of_a_region_breaks_down_by_structure(client: FlaskClient, counted: None) -> None:
    view = data(client, "/donnees.json?year=2007&region=11")
    assert view["scope"]["label"] == "Île-de-France"
    assert view["breakdown"]["by"] == "structure"
    assert view["breakdown"]["within"] == "Île-de-France"
    rows = view["breakdown"]["rows"]
    assert [row["key"] for row in rows] == ["ML-11-002", "ML-11-001"]  # Créteil, Paris
    assert rows[0]["href"] == "/?year=2007&structure=ML-11-002"
    assert not any(row["current"] for row in rows)
    assert view["months"]["within"] == "Île-de-France"
    assert view["months"]["rows"][1]["figures"]["interviews"] == 1


def test_view_of_a_structure_shows_its_region(client: FlaskClient, counted: None) -> None:
    view = data(client, "/donnees.json?year=2007&structure=PAIO-24-001")
    assert view["scope"] == {"level": "structure", "id": "PAIO-24-001", "label": "PAIO de Chartres"}
    assert view["figures"]["youths_with_access"] == 1  # Y4 (Y2 was interviewed elsewhere)
    rows = view["breakdown"]["rows"]
    assert [(row["key"], row["current"]) for row in rows] == [("PAIO-24-001", True)]
    assert view["months"]["within"] == "Centre"


def test_structure_wins_over_region(client: FlaskClient, counted: None) -> None:
    view = data(client, "/donnees.json?year=2007&region=24&structure=ML-11-002")
    assert view["scope"]["id"] == "ML-11-002"


def test_breakdown_sorts(client: FlaskClient, counted: None) -> None:
    view = data(client, "/donnees.json?year=2007&sort=youths_interviewed&order=desc")
    rows = view["breakdown"]["rows"]
    assert [row["key"] for row in rows[:2]] == ["11", "24"]
    values = [row["figures"]["youths_interviewed"] for row in rows]
    assert values == sorted(values, reverse=True)
    view = data(client, "/donnees.json?year=2007&sort=label&order=desc")
    assert view["breakdown"]["rows"][0]["label"] == "Rhône-Alpes"


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
    assert text.count('<th scope="row">') == 26 + 12
    assert text.count('<th scope="row"><a href="/?year=2007&region=') == 26
    assert 'aria-sort="ascending"' in text
    assert "Par région" in text
    assert "Mois par mois — France entière" in text
    assert '<td class="num">100\u202f%</td>' in text
    for key, heading in COLUMNS:
        assert heading in text, key
    # The charts' canvases, described for screen readers, and the view for the script.
    for chart in ("access", "civis", "months", "breakdown"):
        assert f'<canvas id="chart-{chart}" role="img" aria-label="' in text
    assert '<script type="application/json" id="view-data">{"year":2007,' in text
    # The year select lists every year figures exist for, the chosen one selected.
    assert '<option value="2007" selected>' in text
    assert '<option value="1982">' in text


def test_page_of_a_structure_names_it_and_its_region(client: FlaskClient, counted: None) -> None:
    text = page(client, "/?year=2007&structure=ML-11-002")
    assert 'Chiffres clés 2007 <span class="scope">— Mission locale de Créteil</span>' in text
    assert "Par structure — Île-de-France" in text
    assert '<tr class="current" aria-current="true">' in text
    assert "ceux-ci sont ceux de la région de la structure" in text


def test_view_json_escapes_script_end(
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


def csv_rows(client: FlaskClient, url: str) -> tuple[Any, list[list[str]]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark, for Excel
    text = body.decode("utf-8-sig")
    return response, list(csv.reader(io.StringIO(text), delimiter=";"))


def test_csv_export_of_the_breakdown(client: FlaskClient, counted: None) -> None:
    response, rows = csv_rows(client, "/export.csv?year=2007")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="chiffres-cles_2007_repartition.csv"'
    )
    header = rows[0]
    assert header[:3] == ["Année", "Région", "Code"]
    assert "Jeunes reçus en entretien individuel" in header
    assert "Taux d'accès à l'emploi ou à la formation (%)" in header
    assert len(header) == 3 + len(FIGURE_KEYS)
    assert rows[1][:3] == ["2007", "Ensemble — France entière", ""]
    assert len(rows) == 2 + 26
    by_code = {row[2]: dict(zip(header, row, strict=True)) for row in rows[2:]}
    assert by_code["11"]["Région"] == "Île-de-France"
    assert by_code["11"]["Entretiens individuels"] == "3"
    # Y1 and Y2 interviewed in Île-de-France; only Y1 got his job there.
    assert by_code["11"]["Taux d'accès à l'emploi ou à la formation (%)"] == "50,0"
    assert by_code["94"]["Jeunes en contact"] == "0"
    total = dict(zip(header, rows[1], strict=True))
    assert total["Jeunes reçus en entretien individuel"] == "3"


def test_csv_export_follows_the_view(client: FlaskClient, counted: None) -> None:
    response, rows = csv_rows(client, "/export.csv?year=2007&region=11&sort=interviews&order=desc")
    assert (
        'filename="chiffres-cles_2007_region-11_repartition.csv"'
        in response.headers["Content-Disposition"]
    )
    assert rows[0][1] == "Structure"
    assert rows[1][1] == "Ensemble — Île-de-France"
    assert [row[2] for row in rows[2:]] == ["ML-11-001", "ML-11-002"]  # 2 interviews, then 1
    _, rows = csv_rows(client, "/export.csv?year=2007&structure=ML-11-002")
    # No total line for a structure: its region's structures, by name (Créteil, Paris).
    assert [row[2] for row in rows[1:]] == ["ML-11-002", "ML-11-001"]
    response, rows = csv_rows(client, "/export.csv?year=2007&view=month")
    assert rows[0][1] == "Mois"
    assert rows[1][1] == "Année 2007 — France entière"
    assert [row[2] for row in rows[2:]] == [f"2007-{m:02d}" for m in range(1, 13)]
    assert 'filename="chiffres-cles_2007_mois.csv"' in response.headers["Content-Disposition"]
    assert client.get("/export.csv?year=2007&view=pie").status_code == 400


def test_page_links_the_exports(client: FlaskClient) -> None:
    text = page(client, "/?year=2007&region=24")
    assert 'id="export-csv" href="/export.csv?year=2007&region=24" download' in text
    assert 'id="export-csv-month" href="/export.csv?year=2007&region=24&view=month"' in text
    assert client.get("/export.csv?year=2007&region=24&view=month").status_code == 200


def test_header_menu_and_skip_links(client: FlaskClient) -> None:
    text = page(client, "/")
    assert '<a class="fr-nav__link" href="/" aria-current="page">Chiffres clés</a>' in text
    assert 'href="#contenu"' in text
    assert '<main id="contenu"' in text
    assert 'role="banner"' in text
    assert 'role="contentinfo"' in text


@pytest.fixture
def fake_modules(tmp_path: Path) -> Path:
    """An npm install holding just the files the pages link."""
    root = tmp_path / "node_modules"
    for path, body in (
        ("@gouvfr/dsfr/dist/dsfr.min.css", "body{}"),
        ("@gouvfr/dsfr/dist/utility/icons/icons.min.css", ".fr-icon{}"),
        ("@gouvfr/dsfr/dist/dsfr.module.min.js", "export{}"),
        ("chart.js/dist/chart.umd.min.js", "window.Chart=function(){}"),
        ("secret.txt", "not served"),
    ):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(body)
    return root


def test_vendor_assets_are_served_by_the_app(
    database_url: str, registry: Any, fake_modules: Path
) -> None:
    client = make_app(database_url, FRONTEND_MODULES=fake_modules).test_client()
    text = page(client, "/")
    assert '<html lang="fr" class="dsfr">' in text
    for url in (
        "/vendor/dsfr/dsfr.min.css",
        "/vendor/dsfr/utility/icons/icons.min.css",
        "/vendor/dsfr/dsfr.module.min.js",
        "/vendor/chart.js/chart.umd.min.js",
    ):
        assert f'"{url}"' in text, url
        response = client.get(url)
        assert response.status_code == 200, url
        assert "max-age=86400" in response.headers["Cache-Control"]
    assert client.get("/vendor/dsfr/dsfr.min.css").mimetype == "text/css"
    for url in (
        "/vendor/dsfr/../../../secret.txt",
        "/vendor/dsfr/%2e%2e/%2e%2e/%2e%2e/secret.txt",
        "/vendor/left-pad/index.js",
        "/vendor/dsfr/nope.css",
    ):
        assert client.get(url).status_code == 404, url


def test_pages_work_without_node_modules(
    database_url: str, registry: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="services.web.assets"):
        app = make_app(database_url, FRONTEND_MODULES=tmp_path / "nothing")
    assert "web assets missing (chart.js, dsfr)" in caplog.text
    client = app.test_client()
    text = page(client, "/")
    assert '<html lang="fr" class="no-dsfr">' in text
    assert "/vendor/" not in text
    assert 'href="/static/bilan.css"' in text
    assert "data-figure=" in text
    assert client.get("/vendor/dsfr/dsfr.min.css").status_code == 404


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
    assert text.count(" selected>") == 2  # the structure and the year
