"""/admin and the report in real headless Chromium, against the real processes: sign in with
an admin token, see the campaign by region, trigger a consolidation, watch the progress bar
and its row of the history reach 100 % without a reload, open the report, print it on A4."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import (
    INKED,
    SCREENSHOTS,
    Stack,
    pdf_pages,
    screenshot,
    serious_violations,
    token,
)
from tests.support.events import event

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

PARIS_TIME = re.compile(r"\d\d/\d\d/\d{4} à \d\d:\d\d:\d\d \(heure de Paris\)")


@pytest.fixture(scope="module")
def admin_token(stack: Stack) -> str:
    return token(stack, "--role", "admin")


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
    answer = page.goto(f"{stack.web}/admin")
    assert answer.status == 401  # the sign-in page, in French
    assert page.get_by_role("heading", name="Administration : connexion").is_visible()
    page.get_by_label("Jeton d'administration").fill(admin_token)
    page.locator("main").get_by_role("button", name="Se connecter").click()
    page.get_by_role("button", name="Lancer la consolidation").wait_for()
    # Who is signed in, in the header; the menu's entries for an admin.
    identity = page.locator("#identity").inner_text().split()
    assert " ".join(identity) == "Administration nationale — administrateur"
    menu = page.locator(".fr-nav__list > li:visible").all_inner_texts()
    assert menu == [
        "Chiffres clés",
        "Chiffres exacts",
        "Rapports",
        "Déclarations",
        "Administration",
    ]
    trail = page.locator(".fr-breadcrumb__list li").all_inner_texts()
    assert [t.strip() for t in trail] == ["Accueil", "Administration"]
    # The token was entered once: a reload keeps the session (an HttpOnly cookie).
    page.reload()
    cookies = page.context.cookies()
    session = next(c for c in cookies if c["name"] == "session")
    assert session["httpOnly"] and session["sameSite"] == "Lax"
    assert admin_token not in session["value"]

    # The campaign by region, for the year shown.
    page.select_option("#admin-year", "2006")
    page.locator("form.year-form").get_by_role("button", name="Afficher").click()
    centre = page.locator('#campaign-regions tr[data-region="24"]')
    assert centre.locator("td").all_inner_texts()[:2] == ["1", "0"]  # 1 structure, 0 validated
    assert page.locator('#campaign-regions tr[data-region=""] td').first.inner_text() == "3"

    page.select_option("#consolidate-year", "2006")
    page.get_by_role("button", name="Lancer la consolidation").click()
    # No declaration validated: what is missing, and a confirmation first.
    page.get_by_role(
        "heading", name="Consolider 2006 avec des déclarations incomplètes ?"
    ).wait_for()
    assert "0 déclaration validée sur 3 structures actives" in page.locator("#missing").inner_text()
    screenshot(page, "admin-consolidation-confirm")
    assert not serious_violations(page)
    page.get_by_role("button", name="Consolider quand même : rapport provisoire").click()
    progress = page.locator("#job-progress")
    progress.wait_for()
    page.locator("#job-done").wait_for(state="visible", timeout=60_000)
    assert progress.get_attribute("value") == "100" or progress.evaluate("p => p.value") == 100
    assert page.locator("#job-percent").inner_text().startswith("100")
    assert page.locator("#job-status").inner_text() == "terminée"
    # Its row of the history followed, without a reload: state, progress, version, end time.
    job_id = re.search(r"job=(\d+)", page.url).group(1)
    row = page.locator(f"#job-{job_id}")
    row.locator(".job-finished", has_text="heure de Paris").wait_for()
    cells = row.locator("td").all_inner_texts()
    assert cells[2:5] == ["terminée", "100\u202f%", "version 1"]
    assert PARIS_TIME.fullmatch(cells[5]) and PARIS_TIME.fullmatch(cells[6]), cells
    screenshot(page, "admin-consolidation-done")
    assert not serious_violations(page)

    page.locator("#job-report").click()
    page.wait_for_url(re.compile(r"/rapports/2006\?version=1$"))
    assert page.get_by_role("heading", name="Chiffres clés 2006").is_visible()
    interviewed = page.locator('.report-blocks [data-key="youths_interviewed"] .value')
    assert interviewed.inner_text() == "2"
    assert "(heure de Paris)" in page.locator(".report-meta").inner_text()
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
    assert " ".join(access["labels"][0]) == "Accès emploi ou formation"
    assert access["datasets"][0]["data"][0] == 50  # 1 of the 2 youths interviewed
    values = page.locator('.chart-values [data-key="youths_training"] td').all_inner_texts()
    assert values[0] == "1"
    screenshot(page, "rapport-2006")
    assert not serious_violations(page)
    # Print-ready: A4, without the forms; before printing the charts take the paper's column.
    page.emulate_media(media="print")
    assert not page.locator("form.versions").is_visible()
    assert page.locator(".report-brand .fr-logo").is_visible()  # République française
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    for i in range(4):
        width = canvases.nth(i).bounding_box()["width"]
        assert 0 < width <= 333, width  # 88 mm
        assert canvases.nth(i).evaluate(INKED)
    screenshot(page, "rapport-2006-print")
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    # The key figures on the first page, the rest on the second: no page mostly blank.
    assert pdf_pages(pdf) == 2
    (SCREENSHOTS / "rapport-2006.pdf").write_bytes(pdf)
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")

    # The history lists it; the reports' list links every version.
    page.emulate_media(media="screen")
    page.goto(f"{stack.web}/admin")
    assert "version 1" in page.locator("#history").inner_text()
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Rapports"
    ).click()
    page.wait_for_url(re.compile(r"/rapports$"))
    assert page.locator('#reports tr[data-year="2006"] th').inner_text() == "Rapport 2006"
    page.locator('#reports tr[data-year="2006"]').get_by_role("link", name="version 1").click()
    page.get_by_role("link", name="Tous les rapports consolidés").click()
    page.wait_for_url(re.compile(r"/rapports$"))
