"""The campaign as it runs, in real headless Chromium on the real processes: the admin sets the
window (an error first, beside its date), a structure reads its window, gives its address and
reads the reminder it was sent, the validator sees the days left and who has not declared, the
admin who was reminded — every page axe-core clean."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from shared.times import paris_today
from tests.browser.conftest import (
    Stack,
    running_stack,
    screenshot,
    serious_violations,
    sign_in,
    token,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

TODAY = paris_today()
YEAR = TODAY.year - 1  # the campaign the pages show first
CLOSES = TODAY + dt.timedelta(days=3)


@pytest.fixture(scope="module")
def mails(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mails")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, mails: Path) -> Iterator[Stack]:
    """The services writing their mails to a folder, as the demo does."""
    yield from running_stack(tmp_path_factory, BILAN_MAIL_DIR=str(mails))


@pytest.fixture(scope="module")
def secrets(stack: Stack) -> dict[str, str]:
    return {
        "admin": token(stack, "--role", "admin"),
        "paris": token(stack, "--role", "structure", "--structure", "ML-11-001"),
        "idf": token(stack, "--role", "validator", "--region", "11"),
    }


def clean(page: Any) -> None:
    assert not serious_violations(page), serious_violations(page)


def test_the_campaign_pages(page: Any, stack: Stack, secrets: dict[str, str], mails: Path) -> None:
    web = stack.web
    # The admin: ICARE's window proposed; a closing day before the opening one is refused.
    sign_in(page, web, secrets["admin"])
    page.goto(f"{web}/admin?year={YEAR}")
    expect(page.locator("#opens_on")).to_have_value(f"{YEAR + 1}-04-01")
    expect(page.locator("#closes_on")).to_have_value(f"{YEAR + 1}-06-30")
    page.locator("#opens_on").fill((TODAY - dt.timedelta(days=30)).isoformat())
    page.locator("#closes_on").fill((TODAY - dt.timedelta(days=31)).isoformat())
    page.locator("#window-button").click()
    expect(page.locator("#closes_on-error")).to_contain_text("La date de clôture précède")
    expect(page.locator("#closes_on")).to_have_attribute("aria-invalid", "true")
    clean(page)
    page.locator("#closes_on").fill(CLOSES.isoformat())
    page.locator("#window-button").click()
    expect(page.locator("#window-state")).to_contain_text("plus que 3 jours")
    expect(page.locator(".fr-alert--success")).to_contain_text(f"Campagne {YEAR} : les structures")
    expect(page.locator("#reminder-days")).to_contain_text("(3 jours avant la clôture)")
    clean(page)
    screenshot(page, "admin-campaign-window")

    # The structure: its window, then its address (a wrong one first).
    structure = page.context.browser.new_context(locale="fr-FR").new_page()
    sign_in(structure, web, secrets["paris"])
    structure.goto(f"{web}/declarations")
    expect(structure.locator("#campaign-window")).to_contain_text("plus que 3 jours")
    expect(structure.locator("#no-contact")).to_be_visible()
    structure.locator("#email").fill("direction at paris")
    structure.get_by_role("button", name="Enregistrer l'adresse").click()
    expect(structure.locator("#email-error")).to_contain_text("Cette adresse n'est pas valide")
    clean(structure)
    structure.locator("#email").fill("direction@ml-paris.example.org")
    structure.get_by_role("button", name="Enregistrer l'adresse").click()
    expect(structure.locator(".fr-alert--success")).to_contain_text(
        "Adresse de contact enregistrée"
    )
    expect(structure.locator("#email")).to_have_value("direction@ml-paris.example.org")

    # The reminders due now (the 3-day one), written to the folder.
    said = stack.processes.run("campaign", "remind", str(YEAR), "--quiet")
    assert said.splitlines()[-1] == f"reminders of {YEAR}: 1 sent, 0 refused by the relay"
    (sent,) = mails.glob("*_relance_ML-11-001_*.eml")
    assert "Rappel : déclaration ICARE" in sent.read_text(encoding="utf-8")
    structure.reload()
    row = structure.locator("#mails-sent .mail").first
    expect(row).to_contain_text("Rappel")
    expect(row).to_contain_text("envoyé le")
    row.locator("summary").click()
    expect(row.locator(".mail-text")).to_contain_text("Saisir la déclaration")
    clean(structure)
    screenshot(structure, "structure-campaign-contact-mails")

    # The validator: the days left and who has not declared.
    validator = page.context.browser.new_context(locale="fr-FR").new_page()
    sign_in(validator, web, secrets["idf"])
    validator.goto(f"{web}/declarations?year={YEAR}")
    expect(validator.locator("#campaign-window h2")).to_have_text(
        f"Campagne {YEAR} : plus que 3 jours"
    )
    validator.locator("#not-sent summary").click()
    expect(validator.locator("#not-sent")).to_contain_text("Mission locale de Paris")
    expect(validator.locator("#not-sent")).to_contain_text("Mission locale de Créteil")
    assert "direction@ml-paris.example.org" not in validator.content()  # not a validator's to see
    clean(validator)
    screenshot(validator, "validator-campaign-days-left")

    # The admin: who was reminded, and when; who cannot be.
    page.goto(f"{web}/admin?year={YEAR}")
    reminder = page.locator('#reminders tr[data-structure="ML-11-001"]')
    expect(reminder).to_contain_text("direction@ml-paris.example.org")
    expect(reminder).to_contain_text("envoyé le")
    expect(page.locator("#unreachable summary")).to_contain_text(
        "2 structures sans adresse de contact ne peuvent pas être relancées"
    )
    clean(page)
    screenshot(page, "admin-campaign-reminders")
