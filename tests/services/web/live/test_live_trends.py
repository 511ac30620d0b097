"""The dashboard's trends: the scope's headline figures over the years present in the log,
in a table and as the line charts' data; a year without data and a withheld value are
gaps, shown "n.d." and the mark "s"; the exact dashboard (signed in) sees every value."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from services.web.live.trends import trends_context
from tests.support.events import apply_all, event, record
from tests.support.web import NNBSP, bearer, connect, embedded_json
from tests.support.web import page_text as page

# 2004: one youth at Paris; 2005: nothing; 2006: two youths at Paris, six at Créteil (one
# with a job); 2007: seven at Paris, of whom two find a job. 2003 and 2008 are empty.
EVENTS = [
    event("a04", on="2004-05-10", youth="A04"),
    *(event(f"p06-{n}", on="2006-03-01", youth=f"P06-{n}") for n in range(2)),
    *(
        event(f"c06-{n}", on="2006-03-02", structure="ML-11-002", youth=f"C06-{n}")
        for n in range(6)
    ),
    event(
        "c06-o",
        "outcome",
        on="2006-04-01",
        structure="ML-11-002",
        youth="C06-0",
        outcome="employment",
    ),
    *(event(f"p07-{n}", on="2007-03-01", youth=f"P07-{n}") for n in range(7)),
    *(
        event(f"p07-o{n}", "outcome", on="2007-04-01", youth=f"P07-{n}", outcome="training")
        for n in range(2)
    ),
]


@pytest.fixture
def years(sessions: sessionmaker[Session], registry: Any) -> None:
    with sessions.begin() as session:
        record(session, EVENTS)
    apply_all(sessions)


def trend_rows(text: str) -> dict[int, list[str]]:
    """The trend table's cells by year (``text``: the page's HTML as sent)."""
    table = re.search(r'id="table-evolution".*?<tbody[^>]*>(.*?)</tbody>', text, re.S)
    assert table, "no trend table"
    rows = {}
    for year, cells in re.findall(r'<tr data-year="(\d+)"[^>]*>(.*?)</tr>', table.group(1), re.S):
        found = re.findall(r'<td class="num">(.*?)</td>', cells)
        # A withheld value's mark stands in an <abbr> that says what it means.
        rows[int(year)] = [html.unescape(re.sub(r"<[^>]+>", "", cell)) for cell in found]
    return rows


def chart_data(text: str) -> dict[str, Any]:
    data: dict[str, Any] = embedded_json(text, "trends-data")
    return data


def test_the_years_of_the_log_a_year_without_data_a_gap(client: FlaskClient, years: None) -> None:
    text = client.get("/?year=2007").get_data(as_text=True)
    assert "Évolution année par année — France entière" in text
    rows = trend_rows(text)
    # From the first year with data to the last: not 2003, nor 2008 to this year.
    assert list(rows) == [2004, 2005, 2006, 2007]
    # Columns: in contact, interviewed, with access, CIVIS entries, access rate.
    assert rows[2004] == ["1", "1", "0", "0", f"0{NNBSP}%"]
    assert rows[2005] == ["n.d."] * 5
    assert rows[2006] == ["8", "8", "1", "0", f"13{NNBSP}%"]
    assert rows[2007] == ["7", "7", "2", "0", f"29{NNBSP}%"]
    assert re.search(r'<tr data-year="2007" class="current" aria-current="true">', text)
    data = chart_data(text)
    assert data["years"] == [2004, 2005, 2006, 2007]
    lines = {line["key"]: line for line in data["counts"]}
    assert list(lines) == [
        "youths_in_contact",
        "youths_interviewed",
        "youths_with_access",
        "civis_entries",
    ]
    assert lines["youths_interviewed"]["values"] == [1, None, 8, 7]
    assert lines["youths_interviewed"]["label"] == "Jeunes reçus en entretien individuel"
    assert data["rate"]["values"] == [0, None, 12.5, 28.57]
    assert data["rate"]["texts"][2] == f"13{NNBSP}%"
    assert '<canvas id="chart-trends"' in text and '<canvas id="chart-trends-rate"' in text


def test_a_region_or_a_structure_has_its_own_years(client: FlaskClient, years: None) -> None:
    rows = trend_rows(client.get("/?year=2006&structure=ML-11-002").get_data(as_text=True))
    assert list(rows) == [2006]  # Créteil only has 2006
    text = page(client, "/?year=2007&region=24")  # Centre: nothing in any year
    assert 'id="table-evolution"' not in text
    assert "ne couvre pas encore plusieurs années pour ce périmètre" in text


def test_one_year_says_the_evolution_comes_later(client: FlaskClient, years: None) -> None:
    text = page(client, "/?year=2006&structure=ML-11-002")
    assert "l'évolution s'affichera dès la deuxième année" in text
    assert '<canvas id="chart-trends"' not in text


def test_with_the_rule_on_a_small_count_is_a_gap_and_the_mark(
    public_app: Flask, years: None
) -> None:
    client = public_app.test_client()
    text = client.get("/?year=2007&structure=ML-11-001").get_data(as_text=True)
    rows = trend_rows(text)
    assert list(rows) == [2004, 2005, 2006, 2007]
    # One youth in 2004, two in 2006: withheld, with what would give them back.
    assert rows[2004][:2] == ["s", "s"] and rows[2004][4] == "s"
    assert rows[2006][:2] == ["s", "s"]
    assert (
        '<td class="num"><abbr class="withheld" title="Secret statistique : valeur non publiée">'
        "s</abbr></td>"
    ) in text
    # The table's legend names its marks, and links to the page's one note on "s".
    legend = text.split('data-marks="trends"', 1)[1].split("</p>", 1)[0]
    assert 'href="#secret-statistique">voir la note</a>' in legend
    assert "n.d.</abbr> : aucune donnée enregistrée cette année-là" in legend
    assert 'id="secret-statistique"' in text
    # Exactly what the series API publishes: a null there is the mark here and a gap in
    # the chart, a value there is the same value here.
    api = client.get("/v1/figures/series?from=2004&to=2007&structure=ML-11-001").get_json()
    lines = {line["key"]: line["values"] for line in chart_data(text)["counts"]}
    keys = ["youths_in_contact", "youths_interviewed", "youths_with_access", "civis_entries"]
    for row in api["rows"]:
        for i, key in enumerate(keys):
            published = row["figures"][key]
            chart = lines[key][row["year"] - 2004]
            if row["year"] == 2005:
                assert (rows[2005][i], chart) == ("n.d.", None)
            elif published is None:
                assert (rows[row["year"]][i], chart) == ("s", None), (row["year"], key)
            else:
                assert (rows[row["year"]][i], chart) == (str(published), published)
    assert any(row["suppressed"] for row in api["rows"])


def test_with_a_token_or_the_exact_dashboard_every_value_shows(
    public_app: Flask, years: None, tokens: dict[str, str]
) -> None:
    response = public_app.test_client().get(
        "/?year=2007&structure=ML-11-001", headers=bearer(tokens["admin"])
    )
    rows = trend_rows(response.get_data(as_text=True))
    assert rows[2006][:2] == ["2", "2"]
    assert rows[2007][:2] == ["7", "7"]
    with public_app.test_request_context("/"):
        from services.web.db import read_session
        from services.web.live.public import current_edition

        current_edition()  # published by the first public request, as a validator does
        with read_session() as session:
            exact = trends_context(session, "structure", "ML-11-001", 2007, exact=True)
            public = trends_context(session, "structure", "ML-11-001", 2007)
    assert exact.chart.counts[1].values == [1, None, 2, 7]
    assert exact.marks == ["n.d."]  # 2005, without data
    assert public.chart.counts[1].values[:3] == [None, None, None]
    assert public.marks == ["s", "n.d."]


def test_region_and_national_years_are_exact_with_the_rule_on(
    public_app: Flask, years: None
) -> None:
    rows = trend_rows(public_app.test_client().get("/?year=2007&region=11").get_data(as_text=True))
    assert rows[2006][:2] == ["8", "8"]
    assert rows[2004][:2] == ["1", "1"]


def test_the_exact_edition_shows_every_value_and_links_to_itself(
    public: FlaskClient, years: None, tokens: dict[str, str]
) -> None:
    connect(public, tokens["paris"])
    text = public.get("/chiffres-exacts?year=2007&structure=ML-11-001").get_data(as_text=True)
    rows = trend_rows(text)
    assert rows[2004][:2] == ["1", "1"] and rows[2006][:2] == ["2", "2"]
    assert 'class="withheld"' not in text[text.index('id="evolution"') :]
    # A region of its map opens that region's exact figures.
    regions = {r["code"]: r["href"] for r in embedded_json(text, "map-data")["regions"]}
    assert regions["24"] == "/chiffres-exacts?year=2007&region=24"
