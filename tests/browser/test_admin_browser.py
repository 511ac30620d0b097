"""/admin in real headless Chromium, against the real processes: sign in with an admin
token, trigger a consolidation, watch the progress bar reach 100 %, open the report."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest

from tests.browser.conftest import Stack, screenshot
from tests.conftest import event

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


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
    for _ in range(150):
        answer = httpx.get(f"{stack.web}/v1/figures?year=2006", timeout=5).json()
        if answer["pending_events"] == 0 and answer["figures"]["youths_interviewed"] == 2:
            return stack
        time.sleep(0.2)
    raise AssertionError(f"events not applied: {answer}")


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
    assert page.locator(".chart svg").count() == 4
    screenshot(page, "rapport-2006")
    # Print-ready: A4, without the forms.
    page.emulate_media(media="print")
    assert not page.locator("form.versions").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")

    # The job history lists it.
    page.emulate_media(media="screen")
    page.goto(f"{stack.web}/admin")
    assert "version 1" in page.locator("#history").inner_text()
