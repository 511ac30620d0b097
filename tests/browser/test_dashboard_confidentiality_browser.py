"""Statistical confidentiality on the dashboard in real headless Chromium: with
``BILAN_PUBLIC_MIN_COUNT=5``, a visitor sees a structure's small counts as the mark "s"
(secret statistique, explained in its title, a note and each table's legend; gaps in the
charts, no number in their legends), and keeps seeing them so after dashboard.js refreshes
the figures; a signed-in admin reads them exact at /chiffres-exacts. axe-core finds no
serious violation on either page. Screenshots: dashboard-secret-statistique-visiteur,
-admin-chiffres-exacts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    Stack,
    running_stack,
    screenshot,
    serious_violations,
    sign_in,
    token,
)
from tests.support.events import event

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

# 2007 — Paris: three youths interviewed, one of whom leaves CIVIS for a training, and six
# youths in contact by phone; Créteil: one interviewed, six in contact. Each structure's
# counts of interviewed youths are below 5: withheld from a visitor. 2006: eight youths in
# contact at Paris, for the changes.
EVENTS = [
    *(
        event(f"s-o{n}", "contact", on="2006-05-02", youth=f"O{n}", channel="visit")
        for n in range(8)
    ),
    *(event(f"s-p{n}", "interview", on="2007-03-05", youth=f"P{n}") for n in range(3)),
    event("s-p0-x", "civis_exit", on="2007-03-20", youth="P0", exit_reason="training"),
    event("s-c0", "interview", on="2007-03-06", structure="ML-11-002", youth="C0"),
    *(
        event(
            f"s-k{n}",
            "contact",
            on="2007-04-02",
            structure=f"ML-11-00{1 + n % 2}",
            youth=f"K{n}",
            channel="phone",
        )
        for n in range(12)
    ),
]
PARIS = "/?year=2007&structure=ML-11-001"
NNBSP = "\u202f"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """This module's services: the rule on, as docker-compose.yml suggests."""
    yield from running_stack(tmp_path_factory, BILAN_PUBLIC_MIN_COUNT="5")


@pytest.fixture(scope="module")
def small(stack: Stack) -> Stack:
    stack.post(EVENTS)
    stack.wait_applied(2007, youths_interviewed=4)
    return stack


def figure(page: Any, key: str) -> Any:
    return page.locator(f'#figures [data-figure="{key}"]').first


def no_null_shown(page: Any) -> None:
    """Nothing of the page reads "null", "NaN" or "undefined": not the figures, the tables,
    nor the legends Chart.js draws in its canvases."""
    text = page.locator("#figures").inner_text()
    for word in ("null", "NaN", "undefined"):
        assert word not in text, word
    legends = page.evaluate(
        "Object.values(Chart.instances).flatMap(c => (c.legend && c.legend.legendItems || [])"
        ".map(i => String(i.text)))"
    )
    assert legends and not [t for t in legends if "null" in t or "NaN" in t or "undefined" in t]


def civis_legend(page: Any) -> dict[str, str]:
    """The CIVIS donut's legend items, by their reason's short name."""
    texts = page.evaluate(
        "Chart.getChart('chart-civis').legend.legendItems.map(i => String(i.text))"
    )
    return {text.split(" : ")[0]: text for text in texts}


def test_a_visitor_sees_the_mark_and_keeps_it_after_a_refresh(page: Any, small: Stack) -> None:
    page.goto(f"{small.web}{PARIS}")
    interviewed = figure(page, "youths_interviewed")
    expect(interviewed).to_have_text("s")
    mark = interviewed.locator("abbr.withheld")
    assert mark.get_attribute("title") == "Secret statistique : valeur non publiée"
    assert figure(page, "youths_in_contact").inner_text() == "9"
    expect(page.locator("#secret-statistique")).to_be_visible()
    note = page.locator("#secret-statistique").inner_text()
    assert note.startswith("« s » : secret statistique — valeur non publiée parce qu'elle porte")
    assert "moins de 5 jeunes" in note and "< 5" not in page.locator("body").inner_text()
    # The CIVIS exit (a training) is withheld, so are the exits and every share of them.
    assert figure(page, "civis_exits").inner_text() == "s"
    share = page.locator('[data-share="civis_exits_training"]')
    assert share.inner_text() == "s" and share.locator("abbr.withheld").count() == 1
    legend = page.locator('[data-marks="figures"]')
    expect(legend).to_be_visible()
    expect(legend.locator('[data-mark="s"]')).to_contain_text("s : secret statistique")
    # The donut's legend gives no number for a withheld value: the mark, or a true zero.
    items = civis_legend(page)
    assert items["Formation"] == "Formation : s (s)", items
    assert all(text.endswith(": 0 (s)") for key, text in items.items() if key != "Formation")
    link = page.get_by_role("link", name="Connectez-vous pour voir les chiffres exacts")
    assert link.get_attribute("href") == "/chiffres-exacts?year=2007&structure=ML-11-001"
    # Paris's and Créteil's rows: the marks in the table, gaps (null) in the chart.
    paris = page.locator('[data-rows="breakdown"] tr', has_text="Mission locale de Paris")
    assert paris.locator("td").nth(2).inner_text() == "s"
    expect(page.locator('[data-marks="breakdown"] [data-mark="s"]')).to_be_visible()
    breakdown = page.evaluate("Chart.getChart('chart-breakdown').data.datasets[0].data")
    assert breakdown == [None, None]
    no_null_shown(page)
    assert not serious_violations(page)
    screenshot(page, "dashboard-secret-statistique-visiteur")

    # A new contact at Paris: the next poll brings the figures, the marks stay marks.
    small.post([event("s-k-late", "contact", on="2007-04-03", youth="K-late", channel="phone")])
    expect(figure(page, "youths_in_contact")).to_have_text("10", timeout=30_000)
    expect(interviewed.locator("abbr.withheld")).to_have_text("s")
    expect(paris.locator("td").nth(0)).to_have_text("10")
    assert paris.locator("td").nth(2).locator("abbr.withheld").inner_text() == "s"
    assert civis_legend(page)["Formation"] == "Formation : s (s)"
    # A withheld figure's change is withheld too; a published one's shows (10 against 8).
    changes = page.locator("[data-change] .change-text")
    withheld = page.locator('[data-change="youths_interviewed"] .change-text')
    assert withheld.inner_text() == "s par rapport à 2006"
    assert withheld.locator("abbr.withheld").inner_text() == "s"
    contact = page.locator('[data-change="youths_in_contact"] .change-text')
    assert contact.inner_text() == f"+2 (+25,0{NNBSP}%) par rapport à 2006"
    assert changes.count() == 16
    no_null_shown(page)
    page.goto(f"{small.web}/?year=2007")
    expect(page.locator("#secret-statistique")).to_be_visible()
    screenshot(page, "dashboard-secret-statistique-national")


def test_a_signed_in_admin_reads_the_exact_figures(page: Any, small: Stack) -> None:
    sign_in(page, small.web, token(small, "--role", "admin"))
    # The menu of the signed-in leads to the exact figures.
    page.goto(f"{small.web}{PARIS}")
    entry = page.locator(".fr-nav__item", has_text="Chiffres exacts")
    expect(entry).to_be_visible()  # shown by nav.js on the public page
    # The public page is the same for him: the mark, and the way to the exact figures.
    expect(figure(page, "youths_interviewed")).to_have_text("s")
    page.get_by_role("link", name="Connectez-vous pour voir les chiffres exacts").click()
    page.wait_for_url("**/chiffres-exacts?year=2007&structure=ML-11-001")
    expect(figure(page, "youths_interviewed")).to_have_text("3")
    assert page.locator("#figures abbr.withheld").count() == 0
    assert figure(page, "civis_exits_training").inner_text() == "1"
    expect(page.locator(".exact-notice")).to_contain_text("ne doivent pas être republiées")
    assert not page.locator('[data-marks="figures"] [data-mark="s"]').count()
    breakdown = page.evaluate("Chart.getChart('chart-breakdown').data.datasets[0].data")
    assert sorted(breakdown) == [1, 3]
    no_null_shown(page)
    assert not serious_violations(page)
    screenshot(page, "dashboard-admin-chiffres-exacts")
