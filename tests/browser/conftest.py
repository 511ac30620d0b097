"""Browser tests: the real ``bilan ingest``, ``bilan worker`` and ``bilan web`` processes on a
temporary SQLite database, driven by Playwright in the machine's headless Chromium.

Never ``playwright install`` (it downloads a browser): the Debian ``chromium`` package is
used. Without Chromium or the npm assets (scripts/install), the tests skip with the
reason (and fail with CI=true). The broker is the embedded default (a SQLite file beside the
database), as ``bilan up`` runs it: nothing else to start.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.web.assets import NODE_MODULES
from tests.support.events import STRUCTURES
from tests.support.processes import Processes, free_port, wait_http
from tests.support.services import missing_service

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


class Stack:
    """The running services of the module, and a way to post events to them."""

    def __init__(self, processes: Processes, token: str) -> None:
        self.processes = processes
        self.token = token
        self.ingest = f"http://127.0.0.1:{processes.env['BILAN_INGEST_PORT']}"
        self.web = f"http://127.0.0.1:{processes.env['BILAN_WEB_PORT']}"

    def post(self, events: list[dict[str, Any]]) -> dict[str, Any]:
        response = httpx.post(
            f"{self.ingest}/v1/events",
            json=events,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
        )
        assert response.status_code == 202, response.text
        return response.json()

    def wait_applied(self, year: int, youths_interviewed: int) -> None:
        """Wait until nothing is pending and the year counts that many interviewed youths."""
        for _ in range(150):
            answer = httpx.get(f"{self.web}/v1/figures?year={year}", timeout=5).json()
            figures = answer["figures"]
            if (
                answer["pending_events"] == 0
                and figures["youths_interviewed"] == youths_interviewed
            ):
                return
            time.sleep(0.2)
        raise AssertionError(f"events not applied: {answer}\n{self.processes.log('worker')}")


def _check_prerequisites() -> None:
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        missing_service(f"Chromium not installed at {CHROMIUM} (apt-get install chromium)")
    if not AXE.is_file() or not (NODE_MODULES / "@gouvfr" / "dsfr" / "dist").is_dir():
        missing_service(f"web assets not installed in {NODE_MODULES} (run scripts/install dev)")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    yield from running_stack(tmp_path_factory)


def running_stack(tmp_path_factory: pytest.TempPathFactory, **settings: str) -> Iterator[Stack]:
    """The services on a new database, with ``settings`` in their environment
    (``BILAN_PUBLIC_MIN_COUNT="5"``); stopped when the generator is closed."""
    _check_prerequisites()
    tmp = tmp_path_factory.mktemp("browser")
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "BILAN_HOST": "127.0.0.1",
        "PYTHONPATH": str(ROOT),
        **settings,
    }
    env.update(
        BILAN_DATABASE_URL=f"sqlite:///{tmp / 'bilan.db'}",
        BILAN_BROKER_URL="embedded",
        BILAN_INGEST_PORT=str(free_port()),
        BILAN_WEB_PORT=str(free_port()),
    )
    processes = Processes(env, tmp)
    try:
        processes.run("db", "upgrade")
        registry = tmp / "registry.csv"
        with registry.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["structure_id", "name", "kind", "region"])
            for structure_id, fields in STRUCTURES.items():
                writer.writerow([structure_id, fields.name, fields.kind, fields.region])
        processes.run("structures", "import", str(registry))
        token = processes.run("token", "create", "--role", "source").strip().splitlines()[-1]
        processes.start("ingest", "ingest")
        processes.start("worker", "worker")
        processes.start("web", "web")
        result = Stack(processes, token)
        wait_http(f"{result.ingest}/healthz")
        wait_http(f"{result.web}/healthz")
        yield result
    finally:
        processes.stop_all()


@pytest.fixture(scope="module")
def browser(stack: Stack) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    errors: list[str] = []
    tab = context.new_page()
    tab.on("pageerror", lambda error: errors.append(str(error)))
    # Whatever the Content-Security-Policy blocks (an inline script, style or handler) is
    # reported on the console: none may be.
    tab.on(
        "console",
        lambda message: (
            errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    tab.set_default_timeout(20_000)
    yield tab
    context.close()
    assert not errors, errors


def screenshot(page: Any, name: str, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # caret="initial": hiding the caret puts a style attribute on the inputs, which the
    # DSFR then copies into the phone menu, where the page's CSP refuses it (a false alarm).
    page.screenshot(path=str(path), full_page=full_page, caret="initial")
    return path


def token(stack: Stack, *args: str) -> str:
    """A new token of the stack's database (``bilan token create ARGS``)."""
    return stack.processes.run("token", "create", *args).strip().splitlines()[-1]


def sign_in(page: Any, web: str, secret: str) -> None:
    """Sign in on /connexion with ``secret``; the page is then the role's home."""
    page.goto(f"{web}/connexion")
    page.get_by_label("Jeton d'accès").fill(secret)
    page.locator("main").get_by_role("button", name="Se connecter").click()
    page.locator("#identity").wait_for(state="attached")  # in the menu on a phone


def serious_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is."""
    # Evaluated by the driver, not added as a <script>: the page's CSP would block it.
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "axe.run(document, {resultTypes: ['violations']}).then(function (r) {"
        " return r.violations.map(function (v) {"
        " return {id: v.id, impact: v.impact, nodes: v.nodes.length,"
        " target: v.nodes[0].target.join(' ')}; }); })"
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


# Whether a canvas has been drawn on: some pixel is not transparent.
INKED = """canvas => {
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
  return false;
}"""


def pdf_pages(pdf: bytes) -> int:
    """The pages of a PDF that Chromium printed (its page objects)."""
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))
