"""The map of the 26 regions of 2007 (/carte/regions.svg): the departments gathered by region
from the npm map data, the overseas regions as insets, and nothing when the data is absent."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from services.web.assets import NODE_MODULES
from services.web.live.regions_map import (
    DEPARTMENTS_SVG,
    OVERSEAS_SHAPES,
    WORLD_SVG,
    build_regions_svg,
    path_bounds,
)
from shared.departments import DEPARTMENTS_OF, OVERSEAS, REGION_OF
from shared.regions import REGIONS
from tests.support.services import missing_service
from tests.support.web import make_app

SVG = "{http://www.w3.org/2000/svg}"
METROPOLITAN = [d for region, ds in DEPARTMENTS_OF.items() if region not in OVERSEAS for d in ds]


def test_every_department_of_2007_is_in_exactly_one_region() -> None:
    assert set(DEPARTMENTS_OF) == set(REGIONS)
    assert len(METROPOLITAN) == len(set(METROPOLITAN)) == 96
    assert {f"{n:02d}" for n in range(1, 96) if n != 20} | {"2A", "2B"} == set(METROPOLITAN)
    assert REGION_OF["2A"] == REGION_OF["2B"] == "94"
    assert {REGION_OF[d] for d in ("971", "972", "973", "974")} == set(OVERSEAS)
    assert "976" not in REGION_OF  # Mayotte became a department in 2011
    assert (REGION_OF["75"], REGION_OF["59"], REGION_OF["13"], REGION_OF["33"]) == (
        "11",
        "31",
        "93",
        "72",
    )


def write_packages(root: Path, departments: list[str], overseas: list[str]) -> Path:
    """node_modules holding the two map packages, each shape a small square."""

    def svg(ids: list[str], view_box: str) -> str:
        paths = "".join(f'<path id="{i}" d="M {n} {n} h 5 v 5 h -5 z"/>' for n, i in enumerate(ids))
        return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{view_box}">{paths}</svg>'

    for name, body in (
        (DEPARTMENTS_SVG, svg(departments, "0 0 613 585")),
        (WORLD_SVG, svg(["fr", *overseas], "0 0 1010 666")),
    ):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(body)
    return root


def regions_of(document: bytes) -> dict[str, list[ET.Element]]:
    root = ET.fromstring(document)
    groups = [g for g in root.iter(f"{SVG}g") if g.get("class") == "region"]
    return {g.get("data-region", ""): g.findall(f"{SVG}path") for g in groups}


def test_one_group_per_region_with_its_departments(tmp_path: Path) -> None:
    modules = write_packages(tmp_path, METROPOLITAN, list(OVERSEAS_SHAPES.values()))
    document = build_regions_svg(modules)
    root = ET.fromstring(document)
    assert root.get("viewBox") == "0 0 613 585"
    regions = regions_of(document)
    assert list(regions) == [code for code in REGIONS if code not in OVERSEAS] + list(OVERSEAS)
    for code, paths in regions.items():
        assert [p.get("data-department") for p in paths] == list(DEPARTMENTS_OF[code])
    titles = {g.get("data-region"): g.findtext(f"{SVG}title") for g in root.iter(f"{SVG}g")}
    assert titles["94"] == "Corse" and titles["04"] == "La Réunion"
    assert "CC BY 4.0" in (root.findtext(f"{SVG}desc") or "")


def test_the_overseas_regions_are_insets_in_the_bottom_left_corner(tmp_path: Path) -> None:
    modules = write_packages(tmp_path, METROPOLITAN, list(OVERSEAS_SHAPES.values()))
    root = ET.fromstring(build_regions_svg(modules))
    insets = [g for g in root.iter(f"{SVG}g") if g.get("class") == "inset"]
    assert [g.get("data-region") for g in insets] == list(OVERSEAS)
    for inset in insets:
        frame = inset.find(f"{SVG}rect")
        assert frame is not None
        x, y, size = (float(frame.get(k, "")) for k in ("x", "y", "width"))
        # The Atlantic, empty on the metropolitan map, and within it.
        assert x + size < 150 and y > 400 and y + size < 585
        (shape,) = inset.iter(f"{SVG}path")
        assert shape.get("transform", "").startswith("translate(")
        assert inset.findtext(f"{SVG}text") == REGIONS[inset.get("data-region", "")]


@pytest.mark.parametrize(
    ("departments", "overseas"),
    [(METROPOLITAN[1:], list(OVERSEAS_SHAPES.values())), (METROPOLITAN, ["gp", "mq", "gf"])],
)
def test_a_missing_department_or_overseas_shape_is_no_map(
    tmp_path: Path, database_url: str, registry: Any, departments: list[str], overseas: list[str]
) -> None:
    modules = write_packages(tmp_path / "node_modules", departments, overseas)
    client = make_app(database_url, FRONTEND_MODULES=modules).test_client()
    response = client.get("/carte/regions.svg")
    assert response.status_code == 404
    assert response.mimetype == "text/plain"


def test_without_the_packages_the_route_answers_404(
    tmp_path: Path, database_url: str, registry: Any
) -> None:
    client = make_app(database_url, FRONTEND_MODULES=tmp_path / "nothing").test_client()
    response = client.get("/carte/regions.svg")
    assert response.status_code == 404
    assert "Carte indisponible" in response.get_data(as_text=True)


def test_the_route_serves_the_map_for_a_day(
    tmp_path: Path, database_url: str, registry: Any
) -> None:
    modules = write_packages(tmp_path, METROPOLITAN, list(OVERSEAS_SHAPES.values()))
    client = make_app(database_url, FRONTEND_MODULES=modules).test_client()
    response = client.get("/carte/regions.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Cache-Control"] == "public, max-age=86400"
    assert len(regions_of(response.get_data())) == 26


def test_the_installed_packages_give_every_region() -> None:
    if not (NODE_MODULES / DEPARTMENTS_SVG).is_file():
        missing_service(f"the npm map packages are not installed in {NODE_MODULES}")
    regions = regions_of(build_regions_svg(NODE_MODULES))
    assert len(regions) == 26
    departments = [p.get("data-department") for paths in regions.values() for p in paths]
    assert sorted(departments) == sorted(REGION_OF)
    for paths in regions.values():
        for path in paths:
            left, top, right, bottom = path_bounds(path.get("d", ""))
            assert right > left and bottom > top


@pytest.mark.parametrize(
    ("d", "bounds"),
    [
        ("M 10 20 L 30 40 Z", (10, 20, 30, 40)),
        ("m 10,20 5,5 -10,3 z", (5, 20, 15, 28)),
        ("M0 0 H 7 V -2 h 1 v 4 z", (0, -2, 8, 2)),
        ("M 0 0 C 1 5 2 -5 3 0 s 4 4 5 0", (0, -5, 8, 5)),
        ("m 1,1 10e-1,0 z", (1, 1, 2, 1)),
    ],
)
def test_path_bounds(d: str, bounds: tuple[float, ...]) -> None:
    assert path_bounds(d) == pytest.approx(bounds)


@pytest.mark.parametrize("d", ["", "M 1", "M 0 0 Z 4 5"])
def test_unreadable_path_data_is_refused(d: str) -> None:
    with pytest.raises(ValueError):
        path_bounds(d)
