"""/declarations for an admin with a long national list, in real headless Chromium: on a
1 366 px laptop the table's every column is seen without scrolling sideways (the funding
column was cut); the list comes in pages of 50 whose links keep the filters."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Stack, screenshot, serious_violations, sign_in, token
from tests.support.declarations import DECLARATION

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
LONG_NAMES = ("Saint-Laurent-du-Maroni", "Villeneuve-Saint-Georges", "Saint-Jean-de-Maurienne")
# The longest names of regions.
REGIONS = ("93", "91", "31")


@pytest.fixture(scope="module")
def national(stack: Stack) -> tuple[Stack, str]:
    """119 more structures, with names as long as the demo registry's, in three regions."""
    admin = token(stack, "--role", "admin")
    headers = {"Authorization": f"Bearer {admin}"}
    with httpx.Client(base_url=stack.web, headers=headers, timeout=10) as client:
        for i in range(119):
            region = REGIONS[i % 3]
            body = {
                "name": f"Mission locale de {LONG_NAMES[i % 3]}",
                "kind": "mission_locale",
                "region": region,
            }
            structure = f"ML-{region}-{100 + i}"
            client.put(f"/v1/structures/{structure}", json=body).raise_for_status()
            if i % 2:  # waiting for validation: the state's longest badge
                url = f"/v1/declarations/2006/{structure}"
                client.put(url, json=DECLARATION).raise_for_status()
    return stack, admin


def test_the_national_list_fits_a_laptop_in_pages(page: Any, national: tuple[Stack, str]) -> None:
    stack, admin = national
    page.set_viewport_size({"width": 1366, "height": 800})
    sign_in(page, stack.web, admin)
    page.goto(f"{stack.web}/declarations?year=2006")
    table = page.locator("#campaign .fr-table__content")
    # Every column is in view: nothing to scroll sideways, the funding column included.
    assert table.evaluate("t => t.scrollWidth <= t.clientWidth"), table.evaluate(
        "t => [t.scrollWidth, t.clientWidth]"
    )
    funding = page.locator("#campaign thead th").last
    assert funding.inner_text().replace("\n", " ") == "Financement total"
    box, frame = funding.bounding_box(), table.bounding_box()
    assert box["x"] + box["width"] <= frame["x"] + frame["width"] + 1
    assert page.locator("#campaign tbody tr").count() == 50
    expect(page.locator("#shown")).to_contain_text("122 structures : 1 à 50 affichées")
    screenshot(page, "declarations-national-1366")
    assert not serious_violations(page)

    # A filtered list's next page keeps its filters.
    page.select_option("#filter-kind", "mission_locale")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator("#shown")).to_contain_text("121 structures correspondent aux filtres")
    page.get_by_role("navigation", name="Pages de la liste des structures").get_by_role(
        "link", name="Page suivante"
    ).click()
    page.wait_for_url(re.compile(r"kind=mission_locale.*page=2$"))
    expect(page.locator("#shown")).to_contain_text("51 à 100 affichées (page 2 sur 3)")
    assert page.locator("#filter-kind").input_value() == "mission_locale"
