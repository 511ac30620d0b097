"""The dashboard's "Profil des jeunes" in real headless Chromium against the real processes:
a year simulated with realistic profiles (``bilan simulate``, DARES's proportions) shows a
chart per dimension and tables whose cells are the API's; after a live refresh the tables
follow the new figures, and nothing reads "null" or "NaN"; with ``BILAN_PUBLIC_MIN_COUNT=5``
a visitor reads the edition's protected rows (a small count the mark "s", its share too) and a
structure's rows withheld whole, with the reason why. axe-core finds no
serious violation. Screenshots (in test-artifacts/screenshots, copied to docs/screenshots):
dashboard-profil-des-jeunes.png, dashboard-profil-des-jeunes-secret.png (a visitor's, the rule
on) and, of the frozen report's block, rapport-profil-des-jeunes.png."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from services.web.formatting import format_number, format_percent
from shared.profiles import DIMENSIONS
from tests.browser.conftest import AXE, SCREENSHOTS, Stack, running_stack, serious_violations, token
from tests.support.events import event

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
YEAR = 2007
FIGURES = ("youths_interviewed", "youths_first_reception")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """This module's main services (conftest's browser and page run on them): the rule off,
    2005 to 2007 simulated over the three structures (about 2 000 youths a year; a youth
    carried over keeps its profile from an earlier year)."""
    for stack in running_stack(tmp_path_factory):
        stack.processes.run(
            "simulate", "--years", f"{YEAR - 2}-{YEAR}", "--scale", "0.002", "--registry",
            "db", "--until", f"{YEAR}-12-31", "--post", stack.ingest, "--token", stack.token,
        )  # fmt: skip
        wait_settled(stack)
        yield stack


@pytest.fixture(scope="module")
def secret(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The rule on: 14 profiled youths, seven women, two of them of level V (fewer than 5)."""
    for stack in running_stack(tmp_path_factory, BILAN_PUBLIC_MIN_COUNT="5"):
        stack.post(
            [
                {
                    **event(f"f{n}", "first_reception", on=f"{YEAR}-02-01", youth=f"Y{n}"),
                    "youth": {"sex": "F" if n % 2 else "M", "birth_year": 1988}
                    | ({"education_level": "V"} if n < 2 else {}),
                }
                for n in range(14)
            ]
        )
        yield stack


def wait_settled(stack: Stack) -> None:
    for _ in range(600):
        answer = httpx.get(f"{stack.web}/v1/figures?year={YEAR}", timeout=5).json()
        if answer["pending_events"] == 0:
            return
        time.sleep(0.2)
    raise AssertionError(f"events not applied: {answer}")


def api_rows(stack: Stack, by: str) -> dict[str, dict[str, int]]:
    url = f"{stack.web}/v1/figures/breakdown?year={YEAR}&by={by}"
    return {row["key"]: row["figures"] for row in httpx.get(url, timeout=10).json()["rows"]}


def expected(rows: dict[str, dict[str, int]], key: str) -> list[str]:
    texts = []
    for figure in FIGURES:
        total = sum(values[figure] for values in rows.values())
        count = rows[key][figure]
        texts += [format_number(count), format_percent(count / total, 1) if total else "n.d."]
    return texts


def table_texts(page: Any, by: str) -> dict[str, list[str]]:
    rows = page.locator(f'[data-profile-rows="{by}"] tr')
    return {
        rows.nth(i).get_attribute("data-key"): rows.nth(i).locator("td").all_inner_texts()
        for i in range(rows.count())
    }


def no_null_shown(page: Any) -> None:
    text = page.locator("#profil").inner_text()
    for word in ("null", "NaN", "undefined"):
        assert word not in text, word
    labels = page.evaluate(
        "Object.values(Chart.instances).flatMap(c => (c.legend && c.legend.legendItems || [])"
        ".map(i => String(i.text)))"
    )
    assert not [t for t in labels if "null" in t or "NaN" in t or "undefined" in t]


def test_the_section_charts_and_tabulates_the_api(page: Any, stack: Stack) -> None:
    page.goto(f"{stack.web}/?year={YEAR}")
    section = page.locator("#profil")
    heading = section.get_by_role("heading", name="Profil des jeunes — France entière")
    expect(heading).to_be_visible()
    for by in DIMENSIONS:
        chart = page.evaluate(f"Chart.getChart('chart-profile-{by}').data")
        rows = api_rows(stack, by)
        assert len(chart["labels"]) == len(DIMENSIONS[by])
        assert [d["label"] for d in chart["datasets"]] == [
            "Jeunes reçus en entretien individuel",
            "Jeunes en premier accueil",
        ]
        total = sum(values["youths_first_reception"] for values in rows.values())
        shares = chart["datasets"][1]["data"]
        for i, key in enumerate(DIMENSIONS[by]):
            count = rows[key]["youths_first_reception"]
            assert shares[i] == pytest.approx(100 * count / total, abs=0.01)
        assert table_texts(page, by) == {key: expected(rows, key) for key in DIMENSIONS[by]}
    # Realistic: about half women, most youths 18-21, level V and below a majority.
    sex = api_rows(stack, "sex")
    women = sex["F"]["youths_first_reception"] / sum(
        v["youths_first_reception"] for v in sex.values()
    )
    assert 0.45 < women < 0.62
    assert section.locator("canvas").count() == 3
    assert not serious_violations(page)
    no_null_shown(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    section.screenshot(path=str(SCREENSHOTS / "dashboard-profil-des-jeunes.png"))

    # A new first reception of a woman: the next poll brings it into the tables.
    before = api_rows(stack, "sex")["F"]["youths_first_reception"]
    stack.post(
        [
            {
                **event("late-f", "first_reception", on=f"{YEAR}-12-30", youth="LATE"),
                "youth": {"sex": "F", "birth_year": 1989, "education_level": "IV"},
            }
        ]
    )
    cell = page.locator('[data-profile-rows="sex"] tr[data-key="F"] td').nth(2)
    expect(cell).to_have_text(format_number(before + 1), timeout=30_000)
    assert table_texts(page, "sex")["F"] == expected(api_rows(stack, "sex"), "F")
    no_null_shown(page)


def test_on_a_phone(browser: Any, stack: Stack) -> None:
    """390 px wide: the section does not widen the page, its tables scroll (by keyboard too),
    and axe-core finds nothing serious in it."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    try:
        phone = context.new_page()
        phone.goto(f"{stack.web}/?year={YEAR}#profil")
        expect(phone.locator("#chart-profile-sex")).to_be_visible()
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
        phone.evaluate(AXE.read_text())
        found = phone.evaluate(
            "axe.run('#profil', {resultTypes: ['violations']}).then(r => r.violations"
            ".filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id))"
        )
        assert not found
    finally:
        context.close()


def public_texts(
    rows: dict[str, dict[str, int | None]], total: dict[str, int], key: str
) -> list[str]:
    """A row's cells as a visitor reads them: "s" for a withheld count and its share, the
    shares of the scope's published year figure."""
    texts = []
    for figure in FIGURES:
        count = rows[key][figure]
        if count is None:
            texts += ["s", "s"]
        else:
            share = format_percent(count / total[figure], 1) if total[figure] else "n.d."
            texts += [format_number(count), share]
    return texts


def check_public_tables(page: Any, stack: Stack) -> None:
    url = f"{stack.web}/v1/figures?year={YEAR}"
    figures = httpx.get(url, timeout=10).json()["figures"]
    total = {figure: figures[figure] for figure in FIGURES}
    for by in DIMENSIONS:
        rows = api_rows(stack, by)
        for key, cells in table_texts(page, by).items():
            assert cells == public_texts(rows, total, key), (by, key)


def test_a_visitor_reads_the_protected_edition(page: Any, secret: Stack) -> None:
    """The nation's rows cell by cell: the two youths of level V withheld (the mark, its share
    too), the large counts published and charted; a structure's rows withheld whole, and why."""
    wait_settled(secret)
    page.goto(f"{secret.web}/?year={YEAR}")
    section = page.locator("#profil")
    expect(section.locator("#profil-secret")).to_have_count(0)
    assert section.locator("canvas").count() == len(DIMENSIONS)  # the published shares
    assert table_texts(page, "education_level")["V"] == ["0", "n.d.", "s", "s"]  # none interviewed
    assert table_texts(page, "sex")["F"] == ["0", "n.d.", "7", "50,0\u202f%"]
    check_public_tables(page, secret)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    section.screenshot(path=str(SCREENSHOTS / "dashboard-profil-des-jeunes-secret.png"))
    marks = section.locator('[data-profile-rows="education_level"] abbr.withheld')
    assert marks.first.get_attribute("title") == "Secret statistique : valeur non publiée"
    expect(section.locator('[data-marks="profiles"] [data-mark="s"]')).to_be_visible()
    # A refresh keeps the edition's tables: one more youth, the key figures move.
    secret.post([event("late", "contact", on=f"{YEAR}-03-01", youth="Z", channel="phone")])
    figure = page.locator('#figures [data-figure="youths_in_contact"]').first
    expect(figure).to_have_text("15", timeout=30_000)
    check_public_tables(page, secret)
    text = section.inner_text()
    assert not any(word in text for word in ("null", "NaN", "undefined"))
    assert not serious_violations(page)
    # A structure's profiles are not in the edition: withheld whole, and the section says why.
    page.goto(f"{secret.web}/?year={YEAR}&structure=ML-11-001")
    expect(section.locator("#profil-secret")).to_contain_text("ne sont pas publiés")
    assert section.locator("canvas").count() == 0  # nothing to chart
    for by in DIMENSIONS:
        for cells in table_texts(page, by).values():
            assert cells == ["s"] * 4


def test_the_report_block(page: Any, stack: Stack) -> None:
    """The simulated year frozen: its report's block says the API's first receptions."""
    admin = token(stack, "--role", "admin")
    headers = {"Authorization": f"Bearer {admin}"}
    with httpx.Client(base_url=stack.web, headers=headers, timeout=10) as client:
        job = client.post("/v1/consolidations", json={"year": YEAR}).json()
        for _ in range(600):
            state = client.get(f"/v1/consolidations/{job['id']}").json()
            if state["status"] in ("succeeded", "failed"):
                break
            time.sleep(0.2)
        assert state["status"] == "succeeded", state
    page.goto(f"{stack.web}/rapports/{YEAR}")
    block = page.locator("#profil")
    heading = block.get_by_role("heading", name="Profil des jeunes en premier accueil")
    expect(heading).to_be_visible()
    rows = api_rows(stack, "age")
    total = sum(values["youths_first_reception"] for values in rows.values())
    cells = block.locator('#profil-age tr[data-key="18_21"] td').all_inner_texts()
    count = rows["18_21"]["youths_first_reception"]
    assert cells == [format_percent(count / total, 1), format_number(count)]
    assert not serious_violations(page)
    block.screenshot(path=str(SCREENSHOTS / "rapport-profil-des-jeunes.png"))
