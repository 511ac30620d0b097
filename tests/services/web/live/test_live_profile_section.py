"""The dashboard's "Profil des jeunes" (services/web/live/profiles.py): its tables, its data in
``/donnees.json`` and its CSV export (``view=profile``) say the API's breakdowns by profile;
for a reader without a token while confidentiality is on, the edition's values cell by cell (a
structure's withheld whole, never a value); exact at ``/chiffres-exacts``."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from services.web.formatting import format_number, format_percent
from services.web.live.profiles import SECTION_FIGURES
from shared.profiles import DIMENSIONS
from shared.publication.profile_labels import (
    CATEGORY_LABELS,
    DIMENSION_LABELS,
    PROFILES_WITHHELD,
)
from tests.support.events import apply_all, event, record
from tests.support.web import bearer, connect, json_of, page_text


def first(event_id: str, youth: str, profile: dict[str, Any] | None, **fields: Any):
    found = event(event_id, "first_reception", youth=youth, **fields)
    if profile is not None:
        found["youth"] = profile
    return found


# Three women and a man, two of them interviewed; W3's profile from 2006; X has none.
EVENTS = [
    first("f1", "W1", {"sex": "F", "birth_year": 1988, "education_level": "V"}),
    event("i1", youth="W1"),
    first("f2", "W2", {"sex": "F", "birth_year": 1985, "education_level": "IV"}),
    first("f3", "W3", None, structure="ML-11-002"),
    first("f3-0", "W3", {"sex": "F", "birth_year": 1990}, on="2006-10-10"),
    event("i3", youth="W3", structure="ML-11-002"),
    first("fm", "M1", {"sex": "M", "birth_year": 1989, "education_level": "VI"}),
    first("fx", "X", None, structure="PAIO-24-001"),
    event("ix", youth="X", structure="PAIO-24-001"),
]
SCOPES = ["", "&region=11", "&structure=ML-11-002", "&region=24"]


@pytest.fixture
def profiled(sessions: sessionmaker[Session], registry: Any) -> None:
    with sessions.begin() as session:
        record(session, EVENTS)
    apply_all(sessions)


def api_rows(client: FlaskClient, by: str, scope: str, token: str | None = None):
    headers = bearer(token) if token else {}
    url = f"/v1/figures/breakdown?year=2007&by={by}{scope}"
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return {row["key"]: row["figures"] for row in response.get_json()["rows"]}


def table_cells(html: str, dimension: str) -> dict[str, list[str]]:
    """Each row of the dimension's table (its key; "" for the total): its cells' texts."""
    table = html.split(f'id="table-profil-{dimension}"', 1)[1].split("</table>", 1)[0]
    row = re.compile(r'<tr(?: data-key="([^"]*)")?[^>]*>\s*<th scope="row">(.*?)</tr>', re.S)
    found: dict[str, list[str]] = {}
    for match in row.finditer(table):
        cells = re.findall(r'<td class="num">(.*?)</td>', match.group(2), re.S)
        found[match.group(1) or ""] = [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]
    return found


def expected_texts(rows: dict[str, dict[str, Any]], key: str) -> list[str]:
    texts = []
    for figure in SECTION_FIGURES:
        total = sum(values[figure] for values in rows.values())
        count = rows[key][figure] if key else total
        texts += [format_number(count), format_percent(count / total, 1) if total else "n.d."]
    return texts


@pytest.mark.parametrize("scope", SCOPES)
def test_the_tables_say_the_api(client: FlaskClient, profiled: None, scope: str) -> None:
    html = page_text(client, f"/?year=2007{scope}")
    data = json_of(client, f"/donnees.json?year=2007{scope}")["profiles"]
    assert data["withheld"] is False and data["note"] is None
    assert [table["dimension"] for table in data["tables"]] == list(DIMENSIONS)
    for table in data["tables"]:
        by = table["dimension"]
        rows = api_rows(client, by, scope)
        cells = table_cells(html, by)
        assert list(cells) == [*DIMENSIONS[by], ""]
        for key in [*DIMENSIONS[by], ""]:
            assert cells[key] == expected_texts(rows, key), (by, key)
        for row in table["rows"]:
            assert row["label"] == CATEGORY_LABELS[by][row["key"]]
            assert row["counts"] == {f: rows[row["key"]][f] for f in SECTION_FIGURES}
        # The rows partition the youths: their total is the scope's own figure.
        figures = json_of(client, f"/v1/figures?year=2007{scope}")["figures"]
        assert table["total"]["counts"] == {f: figures[f] for f in SECTION_FIGURES}
    # A chart per dimension, and the tables' caption and headers for screen readers.
    for by in DIMENSIONS:
        assert f'id="chart-profile-{by}"' in html
    assert '<th scope="colgroup" colspan="2" class="num">Jeunes en premier accueil</th>' in html


def test_shares_and_a_zero_total(client: FlaskClient, profiled: None) -> None:
    national = json_of(client, "/donnees.json?year=2007")["profiles"]["tables"][0]
    women = national["rows"][0]
    assert women["display"]["youths_first_reception.share"] == "60,0\u202f%"  # 3 of 5
    assert women["percents"]["youths_first_reception"] == 60.0
    # Nobody in Picardie: counts 0, every share "n.d." (a share of nothing), its legend says so.
    html = page_text(client, "/?year=2007&region=22")
    picardie = table_cells(html, "sex")
    assert picardie["F"] == ["0", "n.d.", "0", "n.d."]
    legend = re.search(r'data-marks="profiles"[^>]*>(.*?)</p>', html, re.S)
    assert legend and 'data-mark="n.d.">' in legend.group(1)


def public_texts(rows: dict[str, dict[str, Any]], totals: dict[str, int], key: str) -> list[str]:
    """A row's cells as the public edition shows them: "s" for a withheld count and its
    share, the shares of the scope's published year figure."""
    texts = []
    for figure in SECTION_FIGURES:
        total = totals[figure]
        count = rows[key][figure] if key else total
        if count is None:
            texts += ["s", "s"]
            continue
        texts += [format_number(count), format_percent(count / total, 1) if total else "n.d."]
    return texts


@pytest.mark.parametrize("scope", ["", "&region=11", "&region=24"])
def test_the_public_section_is_the_edition_cell_by_cell(
    public: FlaskClient, profiled: None, scope: str
) -> None:
    html = page_text(public, f"/?year=2007{scope}")
    section = html.split('id="profil"', 1)[1].split("</section>", 1)[0]
    assert PROFILES_WITHHELD not in section
    data = json_of(public, f"/donnees.json?year=2007{scope}")["profiles"]
    assert data["withheld"] is False and "s" in data["marks"]  # a handful of youths: small
    figures = json_of(public, f"/v1/figures?year=2007{scope}")["figures"]
    totals = {f: figures[f] for f in SECTION_FIGURES}  # a region's year: always published
    assert None not in totals.values()
    for table in data["tables"]:
        by = table["dimension"]
        rows = api_rows(public, by, scope)
        cells = table_cells(html, by)
        for key in [*DIMENSIONS[by], ""]:
            assert cells[key] == public_texts(rows, totals, key), (by, key)
        for row in table["rows"]:
            assert row["counts"] == {f: rows[row["key"]][f] for f in SECTION_FIGURES}
            hidden = [f for f in SECTION_FIGURES if row["counts"][f] is None]
            assert all(row["percents"][f] is None for f in hidden)  # never charted
        assert table["total"]["counts"] == totals


def test_a_structure_profiles_are_withheld_whole_from_the_public(
    public: FlaskClient, profiled: None, tokens: dict[str, str]
) -> None:
    html = page_text(public, "/?year=2007&structure=ML-11-002")
    section = html.split('id="profil"', 1)[1].split("</section>", 1)[0]
    assert PROFILES_WITHHELD in section
    assert "chart-profile-" not in section  # no chart: nothing to draw
    for by in DIMENSIONS:
        for key, cells in table_cells(html, by).items():
            if key:
                assert cells == ["s"] * 4
    data = json_of(public, "/donnees.json?year=2007&structure=ML-11-002")["profiles"]
    assert data["withheld"] is True
    for table in data["tables"]:
        for row in table["rows"]:
            assert set(row["counts"].values()) == {None}
            assert set(row["percents"].values()) == {None}
            assert set(row["display"].values()) == {"s"}
    # The same dashboard for the signed-in: exact, as the API with a token.
    connect(public, tokens["admin"])
    exact = json_of(public, "/chiffres-exacts/donnees.json?year=2007&region=11")["profiles"]
    assert exact["withheld"] is False
    for table in exact["tables"]:
        rows = api_rows(public, table["dimension"], "&region=11", tokens["admin"])
        for row in table["rows"]:
            assert row["counts"] == {f: rows[row["key"]][f] for f in SECTION_FIGURES}
    exact_html = page_text(public, "/chiffres-exacts?year=2007&region=11")
    assert table_cells(exact_html, "sex")["F"] == expected_texts(
        api_rows(public, "sex", "&region=11", tokens["admin"]), "F"
    )


def csv_lines(client: FlaskClient, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True).removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_the_csv_export(client: FlaskClient, profiled: None) -> None:
    response = client.get("/export.csv?year=2007&structure=ML-11-002&view=profile")
    assert (
        "chiffres-cles_2007_structure-ML-11-002_profil.csv"
        in response.headers["Content-Disposition"]
    )
    lines = csv_lines(client, "/export.csv?year=2007&structure=ML-11-002&view=profile")
    header, body = lines[0], lines[1:]
    assert header[:5] == ["Année", "Périmètre", "Répartition", "Catégorie", "Code"]
    assert header[5:] == [
        "Jeunes reçus en entretien individuel",
        "Part des jeunes reçus en entretien individuel (%)",
        "Jeunes en premier accueil",
        "Part des jeunes en premier accueil (%)",
    ]
    assert len(body) == sum(len(keys) + 1 for keys in DIMENSIONS.values())  # no note: exact
    for by in DIMENSIONS:
        rows = api_rows(client, by, "&structure=ML-11-002")
        mine = [line for line in body if line[2] == DIMENSION_LABELS[by] and line[4]]
        assert [line[4] for line in mine] == list(DIMENSIONS[by])
        for line in mine:
            assert line[0] == "2007"
            assert line[1] == "Mission locale de Créteil (structure ML-11-002)"
            assert line[5] == str(rows[line[4]]["youths_interviewed"])
            assert line[7] == str(rows[line[4]]["youths_first_reception"])
    women = next(line for line in body if line[4] == "F")
    assert women[5:] == ["1", "100,0", "1", "100,0"]
    # W3, born in 1990 (its profile from 2006), is 17 in 2007; nobody is 18-21 there.
    ages = {line[4]: line[5:] for line in body if line[2] == DIMENSION_LABELS["age"]}
    assert ages["16_17"] == ["1", "100,0", "1", "100,0"]
    assert ages["18_21"] == ["0", "0,0", "0", "0,0"]
    assert ages[""] == ["1", "100,0", "1", "100,0"]  # the total
    assert client.get("/export.csv?year=2007&view=nope").status_code == 400


def test_the_csv_export_withheld_from_the_public(
    public: FlaskClient, profiled: None, tokens: dict[str, str]
) -> None:
    lines = csv_lines(public, "/export.csv?year=2007&view=profile")
    body = [line for line in lines[1:] if len(line) > 1]
    figures = json_of(public, "/v1/figures?year=2007")["figures"]
    totals = {f: figures[f] for f in SECTION_FIGURES}
    for by in DIMENSIONS:
        rows = api_rows(public, by, "")
        mine = [line for line in body if line[2] == DIMENSION_LABELS[by]]
        for line in mine:
            assert line[5:] == [
                text.replace("\u202f%", "") for text in public_texts(rows, totals, line[4])
            ]
    notes = [line[0] for line in lines[1:] if len(line) == 1]
    assert notes[0].startswith("« s » : secret statistique")
    structure = csv_lines(public, "/export.csv?year=2007&structure=ML-11-002&view=profile")
    notes = [line[0] for line in structure[1:] if len(line) == 1]
    assert notes[0] == PROFILES_WITHHELD
    connect(public, tokens["paris"])
    exact = csv_lines(public, "/chiffres-exacts/export.csv?year=2007&view=profile")
    rows = api_rows(public, "education_level", "", tokens["admin"])
    levels = [line for line in exact[1:] if line[2] == "Niveau de formation"]
    assert [line[5] for line in levels] == [
        *(str(rows[key]["youths_interviewed"]) for key in DIMENSIONS["education_level"]),
        "3",  # the total: the nation's accompanied youths
    ]
