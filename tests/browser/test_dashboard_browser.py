"""The live dashboard in real headless Chromium, against the real processes.

Events posted through the ingest API show up on the open page without a reload;
the filters, the sort and the CSV export work from the page and keep the URL
shareable; the page is readable without JavaScript, on a phone and printed; axe-core
finds no serious accessibility violation. Screenshots go to test-artifacts/screenshots.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Stack, screenshot, serious_violations
from tests.support.events import event

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

NNBSP = "\u202f"

BASE = [
    event("b-y1-fr", "first_reception", on="2007-01-10", youth="Y1"),
    event("b-y1-i", "interview", on="2007-03-15", youth="Y1"),
    event("b-y1-o", "outcome", on="2007-04-01", youth="Y1", outcome="employment"),
    event("b-y2-i", "interview", on="2007-02-01", structure="ML-11-002", youth="Y2"),
    event("b-y3-i", "interview", on="2007-05-01", structure="PAIO-24-001", youth="Y3"),
    event(
        "b-y3-o",
        "outcome",
        on="2007-06-01",
        structure="PAIO-24-001",
        youth="Y3",
        outcome="training",
    ),
    event("b-y4-ce", "civis_entry", on="2007-06-01", youth="Y4"),
    event("b-y4-cx", "civis_exit", on="2007-11-02", youth="Y4", exit_reason="durable_employment"),
]


def figure(page: Any, key: str) -> str:
    return page.locator(f'#figures [data-figure="{key}"]').first.inner_text()


@pytest.fixture(scope="module")
def base_2007(stack: Stack) -> Stack:
    """The 2007 events of every test, applied."""
    stack.post(BASE)
    stack.wait_applied(2007, youths_interviewed=3)
    return stack


def test_figures_update_live_without_reload(page: Any, stack: Stack) -> None:
    # A year of its own, so that this test sees every change it makes.
    page.goto(f"{stack.web}/?year=2009")
    assert figure(page, "youths_interviewed") == "0"
    assert page.locator("#freshness-state").inner_text() == "à jour"
    assert page.locator("#freshness-auto").is_visible()
    page.evaluate("window.__notReloaded = true")

    stack.post(
        [event(f"live-{i}", "interview", on="2009-03-02", youth=f"L{i}") for i in range(1200)]
        + [event("live-out", "outcome", on="2009-04-02", youth="L1", outcome="training")]
    )
    # expect() rather than wait_for_function: the page's CSP forbids the eval() that a
    # string predicate needs.
    interviewed = page.locator("#figures [data-figure=youths_interviewed]")
    expect(interviewed).to_have_text(f"1{NNBSP}200", timeout=30_000)
    assert page.evaluate("window.__notReloaded") is True
    assert figure(page, "interviews") == f"1{NNBSP}200"
    assert figure(page, "youths_training") == "1"
    expect(page.locator("#freshness-state")).to_have_text("à jour")
    assert re.fullmatch(r"\d\d:\d\d:\d\d", page.locator("#freshness-time").inner_text())
    # The tables and charts followed: March in the month table, the chart's data.
    march = page.locator('[data-rows="months"] tr').nth(2)
    assert march.locator("th").inner_text() == "mars 2009"
    assert march.locator("td").nth(3).inner_text() == f"1{NNBSP}200"
    months = page.evaluate("Chart.getChart('chart-months').data.datasets[0].data")
    assert months[2] == 1200
    assert page.url.endswith("/?year=2009")
    screenshot(page, "dashboard-live-update")


def test_dashboard_national_scope(page: Any, base_2007: Stack) -> None:
    page.goto(f"{base_2007.web}/?year=2007")
    assert page.title() == "Chiffres clés 2007 — France entière — missions locales"
    assert figure(page, "youths_interviewed") == "3"
    assert figure(page, "access_rate") == f"67{NNBSP}%"
    assert page.locator('[data-share="civis_exits_durable_employment"]').inner_text() == (
        f"100{NNBSP}%"
    )
    # DSFR is loaded from the app itself, and the four charts are drawn.
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Marianne" in font
    # (The trend charts, of their own section, are tested in test_map_trends_browser.py.)
    drawn = "Object.values(Chart.instances).filter(c => c.canvas.closest('.charts')).length"
    assert page.evaluate(drawn) == 4
    rows = page.locator('[data-rows="breakdown"] tr')
    assert rows.count() == 26
    screenshot(page, "dashboard-national")


def test_filters_are_kept_in_the_url(page: Any, base_2007: Stack) -> None:
    web = base_2007.web
    page.goto(f"{web}/?year=2007")
    page.select_option("#filter-region", label="Île-de-France")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url(re.compile(r"region=11"))
    assert "year=2007" in page.url
    assert page.locator("h1").inner_text() == "Chiffres clés 2007 — Île-de-France"
    assert figure(page, "youths_interviewed") == "2"
    assert page.locator('[data-rows="breakdown"] tr').count() == 2
    screenshot(page, "dashboard-region")

    # Search a structure by its name, accents ignored; it replaces the region.
    page.fill("#structure-search", "creteil")
    assert page.input_value("#filter-structure") == "ML-11-002"
    assert page.input_value("#filter-region") == ""
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url(re.compile(r"structure=ML-11-002"))
    assert "region=" not in page.url
    assert page.locator("h1").inner_text() == "Chiffres clés 2007 — Mission locale de Créteil"
    assert figure(page, "youths_interviewed") == "1"
    assert (
        page.locator('#table-repartition tr[aria-current="true"] th').inner_text()
        == "Mission locale de Créteil"
    )
    screenshot(page, "dashboard-structure")

    # The URL alone gives the same dashboard: it can be shared.
    shared = page.url
    other = page.context.new_page()
    other.goto(shared)
    assert other.locator("h1").inner_text() == "Chiffres clés 2007 — Mission locale de Créteil"
    other.close()

    # Another year keeps the scope.
    page.select_option("#filter-year", "2009")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url(re.compile(r"year=2009"))
    assert "structure=ML-11-002" in page.url


def test_breakdown_sorts_from_its_headers(page: Any, base_2007: Stack) -> None:
    page.goto(f"{base_2007.web}/?year=2007")
    page.locator("#repartition thead a", has_text="Reçus en entretien").click()
    page.wait_for_url(re.compile(r"sort=youths_interviewed&order=desc"))
    first = page.locator('[data-rows="breakdown"] tr').first
    assert first.locator("th").inner_text() == "Île-de-France"
    header = page.locator("#repartition th[aria-sort=descending]")
    assert header.inner_text().startswith("Reçus en entretien")
    # The sort survives a change of filter (the current year: always offered).
    current = str(dt.date.today().year)
    page.select_option("#filter-year", current)
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url(re.compile(f"year={current}"))
    assert "sort=youths_interviewed&order=desc" in page.url


def test_csv_export_of_the_current_dashboard(page: Any, base_2007: Stack) -> None:
    page.goto(f"{base_2007.web}/?year=2007&region=11")
    with page.expect_download() as download_info:
        page.click("#export-csv")
    download = download_info.value
    assert download.suggested_filename == "chiffres-cles_2007_region-11_repartition.csv"
    text = download.path().read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:4] == ["Année", "Périmètre", "Structure", "Code"]
    assert rows[1][1:3] == ["Île-de-France (région 11)", "Ensemble — Île-de-France"]
    header = rows[0]
    total = dict(zip(header, rows[1], strict=True))
    assert total["Jeunes reçus en entretien individuel"] == "2"
    assert {row[3] for row in rows[2:]} == {"ML-11-001", "ML-11-002"}


def test_keyboard_navigation(page: Any, base_2007: Stack) -> None:
    page.goto(f"{base_2007.web}/?year=2007")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Contenu"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#contenu$"))
    # From the content, the filters are the next stops, in reading order.
    stops = []
    for _ in range(4):
        page.keyboard.press("Tab")
        stops.append(page.evaluate("document.activeElement.id"))
    assert stops == ["filter-year", "filter-region", "structure-search", "filter-structure"]


def test_readable_without_javascript(browser: Any, base_2007: Stack) -> None:
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto(f"{base_2007.web}/?year=2007")
    assert figure(page, "youths_interviewed") == "3"
    assert page.locator('[data-rows="breakdown"] tr').count() == 26
    assert not page.locator("#structure-search").is_visible()
    screenshot(page, "dashboard-no-javascript")
    context.close()


def test_phone_and_print(browser: Any, base_2007: Stack) -> None:
    phone = browser.new_context(
        viewport={"width": 375, "height": 812}, device_scale_factor=2, is_mobile=True
    )
    page = phone.new_page()
    page.goto(f"{base_2007.web}/?year=2007")
    # Nothing wider than the screen but the tables, which scroll inside their own box.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width
    assert page.get_by_role("button", name="Menu").is_visible()
    screenshot(page, "dashboard-phone")
    phone.close()

    context = browser.new_context(viewport={"width": 1000, "height": 1400})
    page = context.new_page()
    page.goto(f"{base_2007.web}/?year=2007")
    page.emulate_media(media="print")
    assert not page.locator("form.filters").is_visible()
    assert page.locator("#figures [data-figure=youths_interviewed]").first.is_visible()
    page.evaluate("Object.values(Chart.instances).forEach(function (c) { c.resize(); })")
    screenshot(page, "dashboard-print")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    context.close()


def test_accessibility_axe(page: Any, base_2007: Stack) -> None:
    for url in (
        "/?year=2007",
        "/?year=2007&region=11",
        "/?year=2007&structure=ML-11-002",
        "/?year=abc",
    ):
        page.goto(f"{base_2007.web}{url}")
        assert not serious_violations(page), url


CONTRAST = """cell => {
  const rgb = text => text.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
  const lum = c => {
    const v = c.map(x => {
      x /= 255;
      return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
  };
  const style = getComputedStyle(cell);
  // The DSFR draws borders with background images: none may cover the cell.
  const [a, b] = [lum(rgb(style.color)), lum(rgb(style.backgroundColor))];
  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  return {ratio, size: style.backgroundSize, images: style.backgroundImage};
}"""


def test_the_polish_of_issue_11(page: Any, base_2007: Stack) -> None:
    page.goto(f"{base_2007.web}/?year=2007&structure=ML-11-002")
    # The selected structure's row stands out and reads well (it was grey, 3.7:1).
    cell = page.locator("#table-repartition tr.current td").first
    contrast = cell.evaluate(CONTRAST)
    assert contrast["ratio"] >= 4.5, contrast
    # Its borders stay 1 px lines, not a grey fill over the cell.
    assert "auto" not in contrast["size"] and "100% 100%" not in contrast["size"], contrast
    # The Région select shows the structure's region.
    assert page.locator("#filter-region option:checked").inner_text() == "Île-de-France"
    # No future year on offer.
    years = page.locator("#filter-year option").all_inner_texts()
    assert int(years[0]) == dt.date.today().year
    # The breakdown's total: the region's own figures.
    total = page.locator('[data-rows="breakdown-total"] tr.total')
    assert total.locator("th").inner_text() == "Ensemble — Île-de-France"
    assert total.locator("td").nth(2).inner_text() == "2"  # youths interviewed in the region
    # Two exports, two names.
    labels = [
        page.locator(f"#{i}").inner_text().strip() for i in ("export-csv", "export-csv-month")
    ]
    assert labels == [
        "Exporter le tableau par structure (CSV)",
        "Exporter le tableau mois par mois (CSV)",
    ]
    assert "(heure de Paris)" in page.locator("#freshness").inner_text()


def test_the_donut_says_its_values_on_a_phone(browser: Any, base_2007: Stack) -> None:
    phone = browser.new_context(
        viewport={"width": 375, "height": 812}, device_scale_factor=2, is_mobile=True
    )
    page = phone.new_page()
    page.goto(f"{base_2007.web}/?year=2007")
    legend = page.evaluate(
        "(() => { const c = Chart.getChart('chart-civis');"
        " return {position: c.options.plugins.legend.position,"
        " labels: c.legend.legendItems.map(i => i.text), width: c.legend.width, canvas: c.width,"
        " right: Math.max(...c.legend.legendHitBoxes.map(b => b.left + b.width))}; })()"
    )
    assert legend["position"] == "bottom"
    assert legend["labels"][0] == f"Emploi durable : 1 (100{NNBSP}%)"
    assert legend["right"] <= legend["canvas"], legend  # nothing cut on the right
    page.locator("#chart-civis").scroll_into_view_if_needed()
    screenshot(page, "dashboard-donut-phone", full_page=False)
    phone.close()
