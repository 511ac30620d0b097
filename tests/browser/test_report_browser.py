"""A report frozen with part of the declarations, in real headless Chromium against the real
processes: labelled provisional with its completeness on screen, on paper and in the list of
reports; the staff and funding figures say what they cover; on a 390 px phone the page does
not overflow and its CSV and print buttons show their icon and their label; no chart label
is cut on paper; axe-core finds nothing serious. The footer's pages, each reachable."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Stack, pdf_pages, screenshot, serious_violations, token
from tests.support.declarations import DECLARATION
from tests.support.events import event

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
YEAR = 2005
NNBSP = "\u202f"
FIELD = f"sur 1 déclaration validée, 33{NNBSP}% des structures actives"

# For every chart of the page: its widest y-axis label, measured now in the chart's own font,
# and the room Chart.js gave its axis. A label wider than the room is cut on the left.
LABELS_FIT = """() => Object.values(Chart.instances).map(c => {
  const y = c.scales.y;
  const ctx = document.createElement("canvas").getContext("2d");
  ctx.font = Chart.helpers.toFont(y.options.ticks.font).string;
  const lines = y.ticks.flatMap(t => [].concat(t.label));
  const widest = Math.max(...lines.map(l => ctx.measureText(l).width));
  const grid = y.options.grid;
  const ticks = grid.display && grid.drawTicks ? grid.tickLength : 0;
  return {widest: widest, room: y.width - y.options.ticks.padding - ticks};
})"""


@pytest.fixture(scope="module")
def partial(stack: Stack) -> Stack:
    """2005: youths at the three structures; Paris's declaration validated, Créteil's waiting,
    Chartres's rejected; consolidated (a provisional report)."""
    stack.post(
        [
            event("p-a", on=f"{YEAR}-03-01", youth="PA"),
            event("p-b", on=f"{YEAR}-03-01", youth="PB", structure="ML-11-002"),
            event("p-c", on=f"{YEAR}-03-01", youth="PC", structure="PAIO-24-001"),
            event("p-o", "outcome", on=f"{YEAR}-04-01", youth="PA", outcome="employment"),
        ]
    )
    stack.wait_applied(YEAR, youths_interviewed=3)
    admin = token(stack, "--role", "admin")
    headers = {"Authorization": f"Bearer {admin}"}
    with httpx.Client(base_url=stack.web, headers=headers, timeout=10) as client:
        for structure in ("ML-11-001", "ML-11-002", "PAIO-24-001"):
            client.put(f"/v1/declarations/{YEAR}/{structure}", json=DECLARATION).raise_for_status()
        client.post(f"/v1/declarations/{YEAR}/ML-11-001/validate").raise_for_status()
        client.post(
            f"/v1/declarations/{YEAR}/PAIO-24-001/reject", json={"reason": "incomplète"}
        ).raise_for_status()
        job = client.post("/v1/consolidations", json={"year": YEAR}).json()
        for _ in range(300):
            state = client.get(f"/v1/consolidations/{job['id']}").json()
            if state["status"] in ("succeeded", "failed"):
                break
            time.sleep(0.2)
        assert state["status"] == "succeeded", state
    return stack


def _late_fonts(route: Any) -> None:
    # The page's fonts arrive after its scripts have run, as on a slow network: the charts
    # are first drawn in the fallback font.
    time.sleep(0.6)
    route.continue_()


def test_a_provisional_report_on_screen_and_on_paper(page: Any, partial: Stack) -> None:
    page.route("**/vendor/dsfr/fonts/**", _late_fonts)
    page.goto(f"{partial.web}/rapports/{YEAR}")
    page.wait_for_function("document.fonts.status === 'loaded'")
    badge = page.locator("h1 .provisional-badge")
    expect(badge).to_have_text("Provisoire")
    status = page.locator("#provisional")
    assert status.inner_text().startswith(
        f"Rapport provisoire : 1 déclaration validée sur 3 structures actives (33{NNBSP}%)."
    )
    # Beside the staff and the funding: what they cover.
    assert FIELD in page.locator('[data-key="professionals"]').inner_text()
    assert page.locator(".block-field").all_inner_texts() == [f"Champ : {FIELD}."] * 2
    # 1 050 000 € of Paris's declaration for its one youth interviewed.
    cost = page.locator('.headline[data-key="cost_per_youth"] .value').inner_text()
    assert cost == f"1{NNBSP}050{NNBSP}000{NNBSP}€"
    screenshot(page, "rapport-provisoire")
    assert not serious_violations(page)

    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    # On paper: the status on the first lines, the field beside the figures.
    expect(status).to_be_visible()
    expect(badge).to_be_visible()
    expect(page.locator(".block-field").first).to_be_visible()
    for chart in page.evaluate(LABELS_FIT):
        assert chart["widest"] <= chart["room"] + 0.5, chart  # no label cut on the left
    screenshot(page, "rapport-provisoire-print")
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf_pages(pdf) == 2
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")


def test_the_list_of_reports_says_provisional(page: Any, partial: Stack) -> None:
    page.goto(f"{partial.web}/rapports")
    cell = page.locator(f'tr[data-year="{YEAR}"] td.completeness')
    text = cell.text_content()
    assert "Provisoire" in text
    assert f"1 déclaration validée, 33{NNBSP}% des structures actives" in text
    table = page.locator("#reports .fr-table__content")
    assert table.evaluate("t => t.scrollWidth <= t.clientWidth")  # nothing hidden sideways
    assert not serious_violations(page)


def test_the_report_fits_a_phone_with_its_buttons_whole(browser: Any, partial: Stack) -> None:
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    page = phone.new_page()
    page.goto(f"{partial.web}/rapports/{YEAR}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for name, icon in (
        ("Télécharger en CSV (tableur)", "download-line.svg"),
        ("Imprimer", "printer-line.svg"),
    ):
        button = page.get_by_role("link" if name.startswith("Télécharger") else "button", name=name)
        expect(button).to_be_visible()
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (name, box)
        # Its label is shown whole (a DSFR icon-only button would hide it) …
        assert button.evaluate("b => b.scrollWidth <= b.clientWidth && b.clientWidth > 60"), name
        # … and its icon is drawn: the DSFR mask of the right SVG, which the app serves.
        mask = button.evaluate("b => getComputedStyle(b, '::before').maskImage")
        assert icon in mask, (name, mask)
        url = mask.split('"')[1]
        answer = httpx.get(url, timeout=10)
        assert answer.status_code == 200 and "svg" in answer.headers["content-type"], url
    screenshot(page, "rapport-provisoire-phone")
    assert not serious_violations(page)
    phone.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_footers_links_lead_to_their_pages(browser: Any, stack: Stack, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
    page = context.new_page()
    for name, heading in (
        ("Plan du site", "Plan du site"),
        ("Accessibilité : non conforme", "Déclaration d'accessibilité"),
        ("Mentions légales", "Mentions légales"),
        ("Données personnelles", "Données personnelles"),
    ):
        page.goto(f"{stack.web}/")
        link = page.locator("footer").get_by_role("link", name=name)
        link.scroll_into_view_if_needed()
        expect(link).to_be_visible()
        link.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert not serious_violations(page), name
        if width == 1280:
            screenshot(page, f"footer-{page.url.rsplit('/', 1)[1]}")
    context.close()
