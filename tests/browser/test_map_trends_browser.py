"""The map of the regions, the trend charts and the report's changes from the previous year,
in real headless Chromium against the real processes: a click or Enter on a region gives
its dashboard; the chart of three years is drawn; the report shows its changes and still prints
on two or three A4 pages; axe-core finds nothing serious."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest

from tests.browser.conftest import (
    INKED,
    Stack,
    pdf_pages,
    screenshot,
    serious_violations,
    token,
)
from tests.support.events import event

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def _year(year: int, youths: int, region_24: int) -> list[dict[str, Any]]:
    """``youths`` interviewed at Paris (one in three finds a job), ``region_24`` at Chartres."""
    events = []
    for n in range(youths):
        events.append(event(f"t{year}-{n}", on=f"{year}-03-01", youth=f"T{year}-{n}"))
        if n % 3 == 0:
            events.append(
                event(
                    f"t{year}-{n}-o",
                    "outcome",
                    on=f"{year}-04-01",
                    youth=f"T{year}-{n}",
                    outcome="employment",
                )
            )
    for n in range(region_24):
        events.append(
            event(f"c{year}-{n}", on=f"{year}-05-01", structure="PAIO-24-001", youth=f"C{year}-{n}")
        )
    events.append(event(f"x{year}", "civis_entry", on=f"{year}-06-01", youth=f"T{year}-0"))
    return events


@pytest.fixture(scope="module")
def three_years(stack: Stack) -> Stack:
    stack.post(_year(2005, 6, 2) + _year(2006, 9, 3) + _year(2007, 12, 4))
    for year, interviewed in ((2005, 8), (2006, 12), (2007, 16)):
        stack.wait_applied(year, youths_interviewed=interviewed)
    return stack


def _map_drawn(page: Any) -> None:
    page.locator("#map-box svg a.region-link").first.wait_for()


def test_a_click_on_a_region_gives_its_dashboard(page: Any, three_years: Stack) -> None:
    page.goto(f"{three_years.web}/?year=2007")
    _map_drawn(page)
    links = page.locator("#map-box a.region-link")
    assert links.count() == 26
    # Each region is named by its name and its value; the table folds once the map is up.
    centre = page.locator('#map-box a.region-link:has(g[data-region="24"])')
    assert centre.get_attribute("aria-label") == (
        "Centre : 4 — Jeunes reçus en entretien individuel"
    )
    assert page.locator("#map-table").evaluate("d => d.open") is False
    legend = page.locator('.map-legend[data-legend="youths_interviewed"]')
    assert legend.is_visible()
    # The regions without youths are in the lightest shade; Île-de-France, the darkest.
    idf = page.locator('#map-box g.region[data-region="11"]')
    assert "shade-4" in idf.get_attribute("class")
    assert "shade-0" in page.locator('#map-box g.region[data-region="93"]').get_attribute("class")
    screenshot(page, "dashboard-map-trends-national")
    centre.click()
    page.wait_for_url(re.compile(r"/\?year=2007&region=24$"))
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Chiffres clés 2007 — Centre"
    _map_drawn(page)
    shown = page.locator('#map-box g.region[data-region="24"]')
    assert "current" in shown.get_attribute("class")
    assert page.locator('#map-box a[aria-current="true"]').count() == 1
    assert "contour orangé : Centre" in page.locator(".legend-current").inner_text()
    screenshot(page, "dashboard-map-trends-centre")


def test_keyboard_tab_to_a_region_then_enter(page: Any, three_years: Stack) -> None:
    page.goto(f"{three_years.web}/?year=2007")
    _map_drawn(page)
    page.locator("#map-figure").focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused.startswith("Île-de-France : 12 — "), focused
    # The focused region stands out: a thicker, darker outline.
    width = page.evaluate(
        "getComputedStyle(document.activeElement.querySelector('.region')).strokeWidth"
    )
    assert float(width.rstrip("px")) >= 2.5
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/\?year=2007&region=11$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Chiffres clés 2007 — Île-de-France"


def test_the_figure_chosen_recolours_the_map(page: Any, three_years: Stack) -> None:
    page.goto(f"{three_years.web}/?year=2007")
    _map_drawn(page)
    page.select_option("#map-figure", "access_rate")
    assert page.locator('.map-legend[data-legend="access_rate"]').is_visible()
    assert not page.locator('.map-legend[data-legend="youths_interviewed"]').is_visible()
    idf = page.locator('#map-box a.region-link:has(g[data-region="11"])')
    # 4 of 12 youths found a job: 33 %.
    assert idf.get_attribute("aria-label") == (
        "Île-de-France : 33\u202f% — Taux d'accès à l'emploi ou à la formation (%)"
    )


def test_without_the_map_data_the_table_stays(page: Any, three_years: Stack) -> None:
    page.route("**/carte/regions.svg", lambda route: route.fulfill(status=404, body="absent"))
    page.goto(f"{three_years.web}/?year=2007")
    page.locator(".map-unavailable").wait_for(state="visible")
    assert page.locator("#map-table").evaluate("d => d.open") is True
    assert page.locator("#map-table tbody tr").count() == 26


def test_the_trend_chart_of_three_years(page: Any, three_years: Stack) -> None:
    page.goto(f"{three_years.web}/?year=2007")
    canvas = page.locator("#chart-trends")
    canvas.wait_for()
    assert canvas.evaluate(INKED)
    assert page.locator("#chart-trends-rate").evaluate(INKED)
    data = page.evaluate("Chart.getChart(document.getElementById('chart-trends')).data")
    assert data["labels"] == ["2005", "2006", "2007"]
    interviewed = next(
        d for d in data["datasets"] if d["label"] == "Jeunes reçus en entretien individuel"
    )
    assert interviewed["data"] == [8, 12, 16]
    rows = page.locator("#table-evolution tbody tr")
    assert rows.count() == 3
    assert rows.nth(2).locator("th").inner_text() == "2007"
    assert rows.nth(2).locator("td").nth(1).inner_text() == "16"
    # A structure's own years.
    page.goto(f"{three_years.web}/?year=2007&structure=PAIO-24-001")
    data = page.evaluate("Chart.getChart(document.getElementById('chart-trends')).data")
    assert data["datasets"][1]["data"] == [2, 3, 4]


def test_accessibility_with_the_map_and_the_chart(page: Any, three_years: Stack) -> None:
    for url in ("/?year=2007", "/?year=2007&region=24", "/?year=2007&structure=ML-11-001"):
        page.goto(f"{three_years.web}{url}")
        _map_drawn(page)
        page.locator("#chart-trends").wait_for()
        assert not serious_violations(page), url


def _consolidate(stack: Stack, admin: str, year: int) -> None:
    headers = {"Authorization": f"Bearer {admin}"}
    job = httpx.post(
        f"{stack.web}/v1/consolidations", json={"year": year}, headers=headers, timeout=10
    ).json()
    for _ in range(300):
        state = httpx.get(f"{stack.web}/v1/consolidations/{job['id']}", timeout=10).json()
        if state["status"] in ("succeeded", "failed"):
            assert state["status"] == "succeeded", state
            return
        time.sleep(0.2)
    raise AssertionError(f"consolidation of {year} not done: {state}")


def test_the_report_with_its_changes_prints_on_a4(page: Any, three_years: Stack) -> None:
    admin = token(three_years, "--role", "admin")
    _consolidate(three_years, admin, 2006)
    _consolidate(three_years, admin, 2007)
    page.goto(f"{three_years.web}/rapports/2007")
    note = page.locator("#year-changes-note").inner_text()
    assert note.startswith("À côté de chaque chiffre, son évolution depuis le rapport 2006")
    change = page.locator('.report-blocks [data-change="youths_interviewed"]')
    # 12 youths interviewed in 2006, 16 in 2007; the words before it for screen readers only.
    assert change.text_content() == "évolution depuis 2006 : +4 (+33,3\u202f%)"
    assert page.locator('.report-blocks [data-change="youths_interviewed"]').is_visible()
    screenshot(page, "rapport-2007-changes")
    assert not serious_violations(page)
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    pdf = page.pdf(format="A4", print_background=True)
    # The key figures and their changes on the first page, the rest on the second: the
    # changes add no page, and none is mostly blank.
    assert pdf_pages(pdf) == 2
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    # The previous year's report has none before it: n.d.
    page.emulate_media(media="screen")
    page.goto(f"{three_years.web}/rapports/2006")
    assert "Aucun rapport consolidé pour 2005" in page.locator("#year-changes-note").inner_text()
    assert page.locator('[data-change="youths_interviewed"]').text_content().endswith(": n.d.")
