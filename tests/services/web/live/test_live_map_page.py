"""The dashboard's map of the regions: each region's values of the year, the classes of the
chosen figure and their legend in French, the table of the same values, the links that
apply the region filter, the region shown marked; the same for every reader."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from services.web.live.choropleth import class_bounds, class_of
from shared.regions import REGIONS
from shared.storage.models.counters import FigureCounts
from tests.support.events import apply_all, event, record
from tests.support.web import NNBSP, embedded_json, make_app
from tests.support.web import page_text as page

CODES = sorted(REGIONS)  # the i-th region (by code) interviews (i + 1) thousand youths


@pytest.fixture
def regions_2007(sessions: sessionmaker[Session], registry: Any) -> None:
    with sessions.begin() as session:
        for i, code in enumerate(CODES):
            interviewed = (i + 1) * 1000
            session.add(
                FigureCounts(
                    period="2007",
                    scope=f"region:{code}",
                    youths_in_contact=2 * interviewed,
                    youths_interviewed=interviewed,
                    # Access rates from 30 % (the first region) to 55 % (the last).
                    youths_with_access=interviewed * (30 + i) // 100,
                )
            )


def map_data(text: str) -> dict[str, Any]:
    data: dict[str, Any] = embedded_json(text, "map-data")
    return data


def table_row(text: str, code: str) -> str:
    match = re.search(rf'<tr data-region="{code}"[^>]*>(.*?)</tr>', text, re.S)
    assert match, code
    return match.group(0)


def test_each_region_its_values_class_and_link(client: FlaskClient, regions_2007: None) -> None:
    text = page(client, "/?year=2007")
    data = map_data(text)
    assert [r["name"] for r in data["regions"]][:2] == ["Alsace", "Aquitaine"]  # A→Z
    regions = {r["code"]: r for r in data["regions"]}
    assert set(regions) == set(REGIONS)
    idf = regions["11"]
    rank = CODES.index("11")
    assert idf["values"]["youths_interviewed"] == (rank + 1) * 1000
    assert idf["display"]["youths_interviewed"] == f"{rank + 1}{NNBSP}000"
    # A click on a region gives the URL the Région select gives.
    assert idf["href"] == "/?year=2007&region=11"
    # The smallest region is in the lightest class, the biggest in the darkest.
    assert regions[CODES[0]]["shades"]["youths_interviewed"] == 0
    assert regions[CODES[-1]]["shades"]["youths_interviewed"] == 4
    # The table has the same values and links, for screen readers and without the map.
    row = table_row(text, "11")
    assert '<a href="/?year=2007&region=11">Île-de-France</a>' in row
    assert f'<td class="num">{rank + 1}{NNBSP}000</td>' in row
    assert text.count('<tr data-region="') == 26


def test_the_legend_of_a_count_and_of_a_rate(client: FlaskClient, regions_2007: None) -> None:
    data = map_data(page(client, "/?year=2007"))
    # 26 regions, 1 000 to 26 000: five classes of five or six regions each.
    assert [c["label"] for c in data["legends"]["youths_interviewed"]] == [
        f"moins de 7{NNBSP}000",
        f"de 7{NNBSP}000 à moins de 12{NNBSP}000",
        f"de 12{NNBSP}000 à moins de 17{NNBSP}000",
        f"de 17{NNBSP}000 à moins de 22{NNBSP}000",
        f"22{NNBSP}000 ou plus",
    ]
    assert [c["shade"] for c in data["legends"]["youths_interviewed"]] == [0, 1, 2, 3, 4]
    rates = [c["label"] for c in data["legends"]["access_rate"]]
    assert rates[0].startswith("moins de ") and rates[0].endswith(f"{NNBSP}%")
    assert rates[-1].endswith(f"{NNBSP}% ou plus")
    # Every class of each legend holds a region: none is empty.
    for key, legend in data["legends"].items():
        used = {r["shades"][key] for r in data["regions"]}
        assert used == {c["shade"] for c in legend}, key


def test_the_legends_are_on_the_page_one_shown(client: FlaskClient, regions_2007: None) -> None:
    text = page(client, "/?year=2007")
    options = re.findall(r'<option value="(\w+)">', text[text.index('id="map-figure"') :])
    assert options[:5] == [
        "youths_interviewed",
        "youths_in_contact",
        "youths_with_access",
        "access_rate",
        "civis_entries",
    ]
    assert re.search(r'<div class="map-legend" data-legend="youths_interviewed">', text)
    assert re.search(r'<div class="map-legend" data-legend="access_rate" hidden>', text)
    assert f'<li><span class="swatch shade-0" aria-hidden="true"></span>moins de 7{NNBSP}000' in (
        text
    )


@pytest.mark.parametrize("query", ["region=11", "structure=ML-11-002"])
def test_the_region_shown_is_marked(client: FlaskClient, regions_2007: None, query: str) -> None:
    text = page(client, f"/?year=2007&{query}")
    data = map_data(text)
    assert [r["code"] for r in data["regions"] if r["current"]] == ["11"]
    assert 'class="current" aria-current="true"' in table_row(text, "11")
    assert "contour orangé : Île-de-France, la région affichée" in text
    # Its links keep the other filters and drop the structure: the region's dashboard.
    assert all("structure" not in r["href"] for r in data["regions"])


def test_nothing_marked_nationally(client: FlaskClient, regions_2007: None) -> None:
    text = page(client, "/?year=2007&sort=youths_interviewed&order=desc")
    data = map_data(text)
    assert not any(r["current"] for r in data["regions"])
    assert "contour orangé" not in text
    # The table's sort is part of the dashboard: a region's link keeps it.
    assert {r["code"]: r["href"] for r in data["regions"]}["24"] == (
        "/?year=2007&region=24&sort=youths_interviewed&order=desc"
    )


def test_the_year_of_the_map_is_the_page_s(client: FlaskClient, regions_2007: None) -> None:
    data = map_data(page(client, "/?year=2006"))
    assert data["year"] == 2006
    assert all(r["values"]["youths_interviewed"] == 0 for r in data["regions"])
    assert [c["label"] for c in data["legends"]["youths_interviewed"]] == ["toutes les régions"]


def test_region_year_cells_are_exact_for_every_reader(
    public: FlaskClient, sessions: sessionmaker[Session], registry: Any
) -> None:
    # Two youths in Centre (24), at one structure: withheld in the structure's cell with the
    # rule on, but a region's year is always published.
    with sessions.begin() as session:
        record(
            session,
            [
                event("c1", on="2007-03-01", structure="PAIO-24-001", youth="C1"),
                event("c2", on="2007-03-02", structure="PAIO-24-001", youth="C2"),
            ],
        )
    apply_all(sessions)
    data = map_data(page(public, "/?year=2007"))
    centre = next(r for r in data["regions"] if r["code"] == "24")
    assert centre["display"]["youths_interviewed"] == "2"


def test_without_the_map_data_the_table_remains(
    database_url: str, regions_2007: None, tmp_path: Path
) -> None:
    client = make_app(database_url, FRONTEND_MODULES=str(tmp_path)).test_client()
    assert client.get("/carte/regions.svg").status_code == 404
    text = page(client, "/?year=2007")
    # The table is open (<details open>) until the script has drawn the map.
    assert '<details class="map-table fr-mt-2w" id="map-table" open>' in text
    assert '<a href="/?year=2007&region=11">Île-de-France</a>' in text


def test_regions_that_differ_do_not_look_alike_among_many_zeros() -> None:
    # Early in a year most regions have nothing yet: quantiles alone would be all zeros.
    values = [0.0] * 22 + [3.0, 8.0, 40.0, 900.0]
    bounds = class_bounds(values, percent=False)
    assert len({class_of(v, bounds) for v in values}) == 5
    assert class_of(0.0, bounds) == 0 and class_of(900.0, bounds) == 4
