"""The declarations in real headless Chromium, against the real processes: a structure signs
in, fills its form with an error (the funders' sum checked as it types), then correctly, and
submits; the region's validator rejects it (a reason required), the structure corrects it,
the validator validates it; another region's validator is refused; the same form works
without JavaScript; the pages fit a phone; axe-core finds no serious violation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Stack, screenshot, serious_violations, sign_in, token

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

NNBSP = "\u202f"
YEAR = "2008"
PAGE = f"/declarations/{YEAR}/ML-11-001"
AMOUNTS = {
    "#professionals": "23",
    "#funding_main": "900 000",
    "#funding_specific": "100000",
    "#funding_managed_funds": "50000",
    "#funder_state": "400000",
    "#funder_region": "200000",
    "#funder_department": "100000",
    "#funder_municipalities": "200000",
    "#funder_esf": "60000",
}


@pytest.fixture(scope="module")
def secrets(stack: Stack) -> dict[str, str]:
    return {
        "paris": token(stack, "--role", "structure", "--structure", "ML-11-001"),
        "idf": token(stack, "--role", "validator", "--region", "11"),
        "centre": token(stack, "--role", "validator", "--region", "24"),
    }


def fill(page: Any, other: str) -> None:
    for selector, value in AMOUNTS.items():
        page.fill(selector, value)
    page.fill("#funder_other", other)


def sign_out(page: Any) -> None:
    page.locator("header").get_by_role("button", name="Se déconnecter").click()
    page.locator("#sign-in-link").wait_for()


def test_submit_reject_correct_validate(page: Any, stack: Stack, secrets: dict[str, str]) -> None:
    web = stack.web
    page.goto(f"{web}/")
    public = page.locator(".fr-nav__list > li:visible").all_inner_texts()
    assert public == ["Chiffres clés", "Rapports"]

    sign_in(page, web, secrets["paris"])
    assert page.url.endswith("/declarations")
    assert "Mission locale de Paris" in page.locator("#identity").inner_text()
    menu = page.locator(".fr-nav__list > li:visible").all_inner_texts()
    assert menu == ["Chiffres clés", "Chiffres exacts", "Rapports", "Déclarations"]
    # On a public page too the menu keeps the role's entry (static/nav.js).
    page.goto(f"{web}/rapports")
    assert page.locator(".fr-nav__list > li:visible").all_inner_texts() == menu
    assert "Mission locale de Paris" in page.locator("#sign-in-link").inner_text()

    page.goto(f"{web}{PAGE}/saisie")
    fill(page, "0")
    page.locator("#funder_other").blur()
    # Checked as one types: the sum, then the server's sentence once the field is left.
    expect(page.locator("#funders-sum")).to_contain_text(f"960{NNBSP}000{NNBSP}€")
    expect(page.locator("#funders-error")).to_have_text(
        f"La somme des financeurs (960{NNBSP}000{NNBSP}€) doit être égale à l'activité "
        f"principale et aux activités spécifiques réunies (1{NNBSP}000{NNBSP}000{NNBSP}€) : "
        f"écart de 40{NNBSP}000{NNBSP}€."
    )
    live = page.locator("#funders-error").inner_text()
    screenshot(page, "declaration-form-live-check")
    page.get_by_role("button", name="Transmettre la déclaration à la DRTEFP").click()
    # The server says the same, beside the funders, after the summary.
    assert page.locator("#funders-error").inner_text() == live
    assert "Le formulaire contient une erreur" in page.locator("#form-errors").inner_text()
    screenshot(page, "declaration-form-errors")
    assert not serious_violations(page)
    page.fill("#funder_other", "40000")
    page.locator("#funder_other").blur()
    expect(page.locator("#funders-error")).to_have_count(0)
    page.get_by_role("button", name="Transmettre la déclaration à la DRTEFP").click()
    page.wait_for_url(re.compile(rf"{PAGE}$"))
    assert page.locator("#state .state").inner_text().lower() == "transmise, à valider"
    assert (
        "attend la validation de la DRTEFP Île-de-France" in page.locator(".flashes").inner_text()
    )
    screenshot(page, "declaration-submitted")
    sign_out(page)

    # Another region's validator: a French 403 page.
    sign_in(page, web, secrets["centre"])
    answer = page.goto(f"{web}{PAGE}")
    assert answer.status == 403
    assert "région Centre seulement" in page.locator("h1").inner_text()
    screenshot(page, "declaration-other-region-refused")
    sign_out(page)

    sign_in(page, web, secrets["idf"])
    page.goto(f"{web}/declarations?year={YEAR}")
    row = page.locator("#structure-ML-11-001")
    assert row.get_attribute("data-state") == "submitted"
    assert "1 à valider" in page.locator("#completeness").inner_text()
    page.select_option("#filter-status", "none")
    page.get_by_role("button", name="Filtrer").click()
    assert page.locator("#structure-ML-11-001").count() == 0
    assert page.locator("#structure-ML-11-002").count() == 1
    screenshot(page, "declarations-region-filtered")
    assert not serious_violations(page)
    page.goto(f"{web}/declarations?year={YEAR}")
    row.get_by_role("link").click()
    page.get_by_role("button", name="Rejeter la déclaration").click()
    assert page.locator("#reason-error").inner_text() == "Indiquez le motif du rejet."
    page.get_by_label("Motif du rejet").fill("Le FSE est compté deux fois.")
    page.get_by_role("button", name="Rejeter la déclaration").click()
    page.wait_for_url(re.compile(rf"{PAGE}$"))
    assert page.locator("#state .state").inner_text().lower() == "rejetée"
    screenshot(page, "declaration-rejected")
    sign_out(page)

    sign_in(page, web, secrets["paris"])
    page.goto(f"{web}{PAGE}")
    assert "Le FSE est compté deux fois." in page.locator("#rejection").inner_text()
    page.get_by_role("link", name="Corriger et transmettre à nouveau").click()
    assert page.input_value("#funder_esf") == f"60{NNBSP}000"
    page.fill("#funder_esf", "30000")
    page.fill("#funder_other", "70000")
    page.get_by_role("button", name="Transmettre la déclaration à la DRTEFP").click()
    page.wait_for_url(re.compile(rf"{PAGE}$"))
    sign_out(page)

    sign_in(page, web, secrets["idf"])
    page.goto(f"{web}{PAGE}")
    page.get_by_role("button", name="Valider la déclaration").click()
    page.wait_for_url(re.compile(rf"{PAGE}$"))
    assert page.locator("#state .state").inner_text().lower() == "validée"
    actions = page.locator("#trail tbody tr td:nth-child(2)").all_inner_texts()
    assert actions == ["validée", "transmise à nouveau", "rejetée", "transmise"]
    assert all(
        "heure de Paris" in t for t in page.locator("#trail tbody td:first-child").all_inner_texts()
    )
    screenshot(page, "declaration-validated")
    assert not serious_violations(page)


def test_the_form_works_without_javascript(
    browser: Any, stack: Stack, secrets: dict[str, str]
) -> None:
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    sign_in(page, stack.web, secrets["paris"])
    page.goto(f"{stack.web}/declarations/2009/ML-11-001/saisie")
    fill(page, "")
    page.get_by_role("button", name="Transmettre la déclaration à la DRTEFP").click()
    assert (
        page.locator("#funder_other-error").inner_text()
        == "Indiquez une valeur (0 s'il n'y en a pas)."
    )
    page.fill("#funder_other", "40000")
    page.get_by_role("button", name="Transmettre la déclaration à la DRTEFP").click()
    page.wait_for_url(re.compile(r"/declarations/2009/ML-11-001$"))
    assert page.locator("#state .state").inner_text().lower() == "transmise, à valider"
    screenshot(page, "declaration-no-javascript")
    context.close()


def test_the_pages_fit_a_phone(browser: Any, stack: Stack, secrets: dict[str, str]) -> None:
    phone = browser.new_context(
        viewport={"width": 375, "height": 812}, device_scale_factor=2, is_mobile=True
    )
    page = phone.new_page()
    sign_in(page, stack.web, secrets["idf"])
    for url, name in (
        (f"/declarations?year={YEAR}", "declarations-region-phone"),
        (f"{PAGE}", "declaration-phone"),
        ("/connexion", "sign-in-phone"),
    ):
        page.goto(f"{stack.web}{url}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, (url, width)  # the tables scroll inside their own box
        screenshot(page, name)
    # The menu holds the role's entries and the sign-out button.
    page.get_by_role("button", name="Menu").click()
    menu = page.locator("#menu-principal")
    expect(menu.get_by_role("link", name="Déclarations")).to_be_visible()
    expect(menu.get_by_role("button", name="Se déconnecter")).to_be_visible()
    screenshot(page, "menu-phone", full_page=False)
    phone.close()


def test_transmettre_is_never_swallowed_by_the_live_check(
    page: Any, stack: Stack, secrets: dict[str, str]
) -> None:
    """The funders' sum wrong and the focus still in the last field: pressing "Transmettre"
    takes the focus, the field's change is judged — and its message, above the button, must
    not move the button from under the pointer before the click lands."""
    sign_in(page, stack.web, secrets["paris"])
    page.goto(f"{stack.web}/declarations/2011/ML-11-001/saisie")
    fill(page, "0")  # the focus stays in #funder_other: no change fired yet
    assert page.evaluate("document.activeElement.id") == "funder_other"
    page.get_by_role("button", name="Transmettre la déclaration à la DRTEFP").click()
    # The click went through: the server's answer, its list of errors, naming the funders.
    expect(page.locator("#form-errors")).to_be_visible(timeout=5_000)
    assert page.title().startswith("Erreurs — ")
    assert page.locator("#form-errors li").all_inner_texts() == [
        "Financeurs : La somme des financeurs (960\u202f000\u202f€) doit être égale à l'activité "
        "principale et aux activités spécifiques réunies (1\u202f000\u202f000\u202f€) : "
        "écart de 40\u202f000\u202f€."
    ]
    # Corrected, then pressed at once: submitted.
    page.fill("#funder_other", "40000")
    page.get_by_role("button", name="Transmettre la déclaration à la DRTEFP").click()
    page.wait_for_url(re.compile(r"/declarations/2011/ML-11-001$"), timeout=5_000)


def test_the_list_of_errors_names_the_fields_and_follows_the_corrections(
    page: Any, stack: Stack, secrets: dict[str, str]
) -> None:
    sign_in(page, stack.web, secrets["paris"])
    page.goto(f"{stack.web}/declarations/2012/ML-11-001/saisie")
    fill(page, "40000")
    page.fill("#professionals", "vingt")
    page.fill("#funder_esf", "")
    page.get_by_role("button", name="Transmettre la déclaration à la DRTEFP").click()
    summary = page.locator("#form-errors")
    expect(summary).to_be_visible()
    # Refused: the list takes the focus, each line names its field and leads to it.
    assert page.evaluate("document.activeElement.id") == "form-errors"
    assert summary.locator("li").all_inner_texts() == [
        "Professionnels : Indiquez un nombre en chiffres, par exemple 1 250 000.",
        "Financeurs — Fonds social européen (FSE) : Indiquez une valeur (0 s'il n'y en a pas).",
    ]
    assert "Le formulaire contient 2 erreurs" in summary.locator("h2").inner_text()
    assert not serious_violations(page)
    screenshot(page, "declaration-form-error-list")
    summary.get_by_role("link", name=re.compile("^Professionnels")).click()
    assert page.evaluate("document.activeElement.id") == "professionals"
    # Corrected: its error leaves the field and the list; what is shown is about these values.
    page.keyboard.press("Control+A")
    page.keyboard.type("23")
    expect(page.locator("#professionals-error")).to_have_count(0)
    assert page.locator("#professionals").get_attribute("aria-invalid") is None
    assert summary.locator("li").all_inner_texts() == [
        "Financeurs — Fonds social européen (FSE) : Indiquez une valeur (0 s'il n'y en a pas)."
    ]
    assert "Le formulaire contient une erreur" in summary.locator("h2").inner_text()
    page.fill("#funder_esf", "60000")
    expect(summary.locator("li")).to_have_count(0)
    assert "corrigées" in summary.locator("h2").inner_text()
    page.get_by_role("button", name="Transmettre la déclaration à la DRTEFP").click()
    page.wait_for_url(re.compile(r"/declarations/2012/ML-11-001$"))
