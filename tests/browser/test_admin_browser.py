"""/admin in real headless Chromium, against the real processes: sign in with an admin
token, trigger a consolidation, watch the progress bar reach 100 %, open the report."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import Stack, screenshot
from tests.support.events import event

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

# Whether a canvas has been drawn on: some pixel is not transparent.
INKED = """canvas => {
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
  return false;
}"""


@pytest.fixture(scope="module")
def admin_token(stack: Stack) -> str:
    created = stack.processes.run("token", "create", "--role", "admin")
    return created.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def events_2006(stack: Stack) -> Stack:
    stack.post(
        [
            event("adm-1", "interview", on="2006-03-01", youth="A1"),
            event("adm-2", "outcome", on="2006-04-01", youth="A1", outcome="training"),
            event("adm-3", "interview", on="2006-05-01", structure="PAIO-24-001", youth="A2"),
        ]
    )
    stack.wait_applied(2006, youths_interviewed=2)
    return stack


def test_trigger_watch_progress_and_open_the_report(
    page: Any, events_2006: Stack, admin_token: str
) -> None:
    stack = events_2006
    page.goto(f"{stack.web}/admin")
    page.get_by_label("Jeton d'administration").fill(admin_token)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("button", name="Lancer la consolidation").wait_for()
    # The token was entered once: a reload keeps the session (an HttpOnly cookie).
    page.reload()
    cookies = page.context.cookies()
    session = next(c for c in cookies if c["name"] == "session")
    assert session["httpOnly"] and session["sameSite"] == "Lax"
    assert admin_token not in session["value"]

    page.locator("#consolidate-year").fill("2006")
    page.get_by_role("button", name="Lancer la consolidation").click()
    progress = page.locator("#job-progress")
    progress.wait_for()
    page.locator("#job-done").wait_for(state="visible", timeout=60_000)
    assert progress.get_attribute("value") == "100" or progress.evaluate("p => p.value") == 100
    assert page.locator("#job-percent").inner_text().startswith("100")
    assert page.locator("#job-status").inner_text() == "terminée"
    screenshot(page, "admin-consolidation-done")

    page.locator("#job-report").click()
    page.wait_for_url(re.compile(r"/rapports/2006\?version=1$"))
    assert page.get_by_role("heading", name="Chiffres clés 2006").is_visible()
    interviewed = page.locator('[data-key="youths_interviewed"] dd').inner_text()
    assert interviewed == "2"
    # The charts: Chart.js (no hand-drawn SVG) adds a drawn canvas above each values table.
    assert page.locator(".chart svg").count() == 0
    assert page.locator(".chart table.chart-values").count() == 4
    assert page.evaluate("Object.keys(Chart.instances).length") == 4
    canvases = page.locator(".chart .chart-box canvas")
    assert canvases.count() == 4
    for i in range(4):
        assert canvases.nth(i).bounding_box()["width"] > 0
        assert canvases.nth(i).evaluate(INKED)
    access = page.evaluate("Chart.getChart(document.querySelector('.chart canvas')).data")
    assert " ".join(access["labels"][0]) == "jeunes ont accédé à l'emploi ou à la formation"
    assert access["datasets"][0]["data"][0] == 50  # 1 of the 2 youths interviewed
    values = page.locator('.chart-values [data-key="youths_training"] td').all_inner_texts()
    assert values[0] == "1"
    screenshot(page, "rapport-2006")
    # Print-ready: A4, without the forms; before printing the charts take the paper's width.
    page.emulate_media(media="print")
    assert not page.locator("form.versions").is_visible()
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    for i in range(4):
        width = canvases.nth(i).bounding_box()["width"]
        assert 0 < width <= 605, width  # 160 mm
        assert canvases.nth(i).evaluate(INKED)
    screenshot(page, "rapport-2006-print")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")

    # The job history lists it.
    page.emulate_media(media="screen")
    page.goto(f"{stack.web}/admin")
    assert "version 1" in page.locator("#history").inner_text()
