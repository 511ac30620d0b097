"""In headless Chromium, against the real processes: a structure's own months (table and chart),
the current year compared on its complete months with the same months of the year before
(the sentence, the changes, the trends "à date"), and the trends refreshed without a reload
after events are posted.

The current year is the machine's (in Paris): the expected words are built here from that
date, so the test holds in any month — in January, the sentence that says no month is
complete yet.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from shared.times import paris_today
from tests.browser.conftest import Stack, screenshot, serious_violations
from tests.support.events import event

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

NNBSP = "\u202f"
MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
]  # fmt: skip

# 2007 at Créteil (ML-11-002): an interview in February and one in May, a job in June; at
# Paris (ML-11-001), four interviews in March.
STRUCTURE_2007 = [
    event("s-c1", "interview", on="2007-02-05", structure="ML-11-002", youth="C1"),
    event("s-c2", "interview", on="2007-05-03", structure="ML-11-002", youth="C2"),
    event(
        "s-c2-o",
        "outcome",
        on="2007-06-01",
        structure="ML-11-002",
        youth="C2",
        outcome="employment",
    ),
    *(event(f"s-p{n}", "interview", on="2007-03-01", youth=f"P{n}") for n in range(4)),
]


def figure(page: Any, key: str) -> str:
    return page.locator(f'#figures [data-figure="{key}"]').first.inner_text()


def keep(page: Any, name: str) -> None:
    """A screenshot of what the window shows (docs/screenshots holds copies, listed in
    docs/pages.md)."""
    screenshot(page, name, full_page=False)


def test_a_structure_shows_its_own_months(page: Any, stack: Stack) -> None:
    stack.post(STRUCTURE_2007)
    stack.wait_applied(2007, youths_interviewed=6)
    page.goto(f"{stack.web}/?year=2007&structure=ML-11-002")
    assert page.locator("#titre-mois").inner_text() == "Mois par mois — Mission locale de Créteil"
    rows = page.locator('[data-rows="months"] tr')
    assert rows.count() == 12
    # Columns: in contact, first reception, interviewed, interviews, with access, rate…
    assert rows.nth(1).locator("td").nth(3).inner_text() == "1"  # February: C1
    assert rows.nth(2).locator("td").nth(3).inner_text() == "0"  # March: Paris's, not here
    assert rows.nth(4).locator("td").nth(3).inner_text() == "1"  # May: C2
    assert rows.nth(5).locator("td").nth(5).inner_text() == "n.d."  # June: nobody interviewed
    chart = page.evaluate("Chart.getChart('chart-months').data.datasets[0].data")
    assert chart == [0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    caption = page.locator("#chart-months").locator("xpath=ancestor::figure/figcaption")
    assert caption.inner_text() == "Entretiens individuels par mois — Mission locale de Créteil"
    page.locator("#titre-mois").evaluate("title => title.scrollIntoView()")
    keep(page, "dashboard-structure-months")
    assert not serious_violations(page)


def _span(year: int, month: int) -> tuple[str, str]:
    """January to ``month`` in words, long and short, as the page says them."""
    if month == 1:
        return f"janvier {year}", f"janvier {year - 1}"
    last = MONTHS[month - 1]
    return f"de janvier à {last} {year}", f"janvier–{last} {year - 1}"


def test_the_current_year_is_compared_with_the_same_months(page: Any, stack: Stack) -> None:
    today = paris_today()
    year = today.year
    # The year before: four youths in January, six in December. This year: five in
    # January (when it is complete) and one today.
    events = [
        *(event(f"y-a{n}", on=f"{year - 1}-01-15", youth=f"YA{n}") for n in range(4)),
        *(event(f"y-d{n}", on=f"{year - 1}-12-15", youth=f"YD{n}") for n in range(6)),
        event("y-t", on=today.isoformat(), youth="YT"),
    ]
    complete = today.month - 1
    if complete:
        events += [event(f"y-b{n}", on=f"{year}-01-15", youth=f"YB{n}") for n in range(5)]
    stack.post(events)
    stack.wait_applied(year, youths_interviewed=6 if complete else 1)
    page.goto(f"{stack.web}/?year={year}")
    sentence = page.locator("#comparison-sentence").inner_text()
    day = f"{'1er' if today.day == 1 else today.day} {MONTHS[today.month - 1]} {year}"
    status = f"{year} n'est pas terminée : ses chiffres sont provisoires, à date du {day}."
    change = page.locator('[data-change="youths_interviewed"] .change-text').inner_text()
    if complete:
        span, before = _span(year, complete)
        assert sentence == (
            f"{status} Les évolutions portent sur les mois complets : {span}, par rapport à "
            f"{before}."
        )
        # Five in January of this year against four in January of the year before: +25 %.
        assert change == f"+1 (+25,0{NNBSP}%) {span}, par rapport à {before}"
    else:
        assert sentence == (
            f"{status} Aucun mois de {year} n'est encore complet : les évolutions par rapport "
            f"à {year - 1} ne sont pas encore disponibles (n.d.)."
        )
        assert change == f"n.d. : aucun mois de {year} n'est encore complet"
    assert page.locator("#annee-en-cours .fr-badge").text_content() == "Provisoire, à date"
    # The trends: this year "à date", the segment that reaches it dotted, a note that says why.
    row = page.locator(f'#table-evolution tr[data-year="{year}"] th')
    assert row.inner_text() == f"{year} (à date)"
    labels = page.evaluate("Chart.getChart('chart-trends').data.labels")
    assert labels[-2:] == [str(year - 1), f"{year} (à date)"]
    dashes = page.evaluate(
        "(() => { const set = Chart.getChart('chart-trends').data.datasets[0];"
        " const n = set.data.length;"
        " return [set.segment.borderDash({p1DataIndex: n - 1}),"
        " set.segment.borderDash({p1DataIndex: n - 2}) || null]; })()"
    )
    assert dashes == [[2, 5], None]  # dotted into this year only
    note = page.locator("#trends-in-progress").inner_text()
    assert note.startswith(f"{year} (à date) : année en cours, chiffres provisoires du 1er janvier")
    page.evaluate("window.scrollTo(0, 0)")
    keep(page, "dashboard-current-year-comparison")
    assert not serious_violations(page)


def test_the_trends_refresh_after_events_are_posted(page: Any, stack: Stack) -> None:
    # 2008, a year of this test's own: two youths first, three more while the page is open.
    stack.post([event(f"t-{n}", on="2008-09-03", youth=f"T{n}") for n in range(2)])
    stack.wait_applied(2008, youths_interviewed=2)
    page.goto(f"{stack.web}/?year=2008")
    # Columns: in contact, interviewed, with access, CIVIS entries, access rate.
    interviewed = page.locator('#table-evolution tr[data-year="2008"] td').nth(1)
    assert interviewed.inner_text() == "2"
    page.evaluate("window.__notReloaded = true")
    stack.post([event(f"t-{n}", on="2008-09-04", youth=f"T{n}") for n in range(2, 5)])
    expect(page.locator('#figures [data-figure="youths_interviewed"]')).to_have_text(
        "5", timeout=30_000
    )
    expect(interviewed).to_have_text("5")
    chart = page.evaluate(
        "(() => { const c = Chart.getChart('chart-trends');"
        " return c.data.datasets[1].data[c.data.labels.indexOf('2008')]; })()"
    )
    assert chart == 5
    assert page.evaluate("window.__notReloaded") is True
