"""The campaign as it runs, with the real processes on PostgreSQL and Redis and a real SMTP
server in the test: each decision mails once; the reminders go to exactly the structures due,
never twice across two runs of `bilan campaign remind` and a worker killed mid-send."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from shared.publication.french_dates import day_in_words
from shared.storage.db import engine_for, session_factory
from shared.storage.models.mail import Mail
from shared.times import paris_today
from tests.support.declarations import DECLARATION
from tests.support.processes import Processes, wait_http
from tests.support.smtp import Inbox, Received, smtp_server

pytestmark = pytest.mark.e2e

YEAR = paris_today().year - 1
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "mails"
REGISTRY = (
    "structure_id,name,kind,region,opened_on,closed_on,email\n"
    "ML-11-001,Mission locale de Paris,mission_locale,11,,,direction@ml-paris.example.org\n"
    "ML-11-002,Mission locale de Créteil,mission_locale,11,,,contact@ml-creteil.example.org\n"
    "ML-11-003,Mission locale d'Évry,mission_locale,11,,,accueil@ml-evry.example.org\n"
    "ML-11-004,Mission locale de Versailles,mission_locale,11,,,ml@versailles.example.org\n"
    "ML-11-005,Mission locale de Nanterre,mission_locale,11,,,\n"
    "ML-11-006,Mission locale de Meaux,mission_locale,11,,,gone@ml-meaux.example.org\n"
    f"ML-11-007,Mission locale de Melun,mission_locale,11,,{YEAR - 2}-12-31,ml@melun.example.org\n"
)


def wait_for(condition: Any, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what}: not within {seconds} s")


def keep(name: str, mail: Received) -> None:
    """The mail as received, for the record (test-artifacts/mails/)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.txt").write_text(mail.as_received(), encoding="utf-8")


def test_decisions_and_reminders_are_mailed_once(
    processes: Processes, postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    inbox = Inbox(refuse={"gone@ml-meaux.example.org"})
    with smtp_server(inbox) as server:
        processes.env.update(
            BILAN_DATABASE_URL=postgres_url,
            BILAN_BROKER_URL=redis_url,
            BILAN_SMTP_URL=server.url,
            BILAN_MAIL_FROM="icare@bilan.example.gouv.fr",
            BILAN_PUBLIC_URL="https://bilan.example.gouv.fr",
            BILAN_SWEEP_SECONDS="0.5",
            # A claimed mail is its sender's for 8 × this: 4 s.
            BILAN_SMTP_TIMEOUT_SECONDS="0.5",
        )
        csv = tmp_path / "registry.csv"
        csv.write_text(REGISTRY, encoding="utf-8")
        processes.run("structures", "import", str(csv))

        def token(*args: str) -> str:
            return processes.run("token", "create", *args).strip().splitlines()[-1]

        admin = {"Authorization": f"Bearer {token('--role', 'admin')}"}
        validator = {"Authorization": f"Bearer {token('--role', 'validator', '--region', '11')}"}
        processes.start("web", "web")
        processes.start("worker", "worker")
        web = f"http://127.0.0.1:{processes.env['BILAN_WEB_PORT']}"
        wait_http(f"{web}/healthz")
        api = httpx.Client(base_url=web, timeout=30)

        # The campaign is open for 20 more days: no reminder is due yet.
        body = {"opens_on": f"{YEAR + 1}-01-01", "closes_on": f"{paris_today() + dt.timedelta(20)}"}
        assert api.put(f"/v1/campaigns/{YEAR}", json=body, headers=admin).status_code == 201

        # Évry submitted, Versailles validated, Créteil rejected: two decisions, two mails.
        for structure in ("ML-11-002", "ML-11-003", "ML-11-004"):
            url = f"/v1/declarations/{YEAR}/{structure}"
            assert api.put(url, json=DECLARATION, headers=admin).status_code == 201
        reason = {"reason": "Le financement du FSE manque parmi les financeurs."}
        url = f"/v1/declarations/{YEAR}/ML-11-002/reject"
        assert api.post(url, json=reason, headers=validator).status_code == 200
        url = f"/v1/declarations/{YEAR}/ML-11-004/validate"
        assert api.post(url, headers=validator).status_code == 200
        wait_for(lambda: len(inbox.all()) == 2, "the two decisions' mails")
        rejected = inbox.to("contact@ml-creteil.example.org")[0]
        assert rejected.subject.startswith(f"Déclaration ICARE {YEAR} rejetée, à corriger")
        assert "Le financement du FSE manque parmi les financeurs." in rejected.text
        assert (
            f"https://bilan.example.gouv.fr/declarations/{YEAR}/ML-11-002/saisie" in rejected.text
        )
        keep("rejection", rejected)
        assert inbox.to("ml@versailles.example.org")[0].subject.startswith(
            f"Déclaration ICARE {YEAR} validée"
        )

        # The window closes in 3 days: both reminder days reached, the 3-day one only is due.
        # The relay holds the first reminder; the worker that sends it is killed meanwhile.
        processes.kill("worker")
        closes = paris_today() + dt.timedelta(days=3)
        body = {"opens_on": f"{YEAR + 1}-01-01", "closes_on": closes.isoformat()}
        assert api.put(f"/v1/campaigns/{YEAR}", json=body, headers=admin).status_code == 200
        inbox.hold = threading.Event()
        processes.start("worker", "worker")  # its first sweep writes the day's reminders
        assert inbox.held.wait(60), processes.log("worker")
        processes.kill("worker")
        inbox.verdict = False  # what it was sending never reached the relay's acceptance
        hold, inbox.hold = inbox.hold, None
        hold.set()

        # Two runs of the command meanwhile: nothing written twice, nothing sent twice; the
        # killed worker's mail is still its (dead) sender's, the refused address is said.
        first = processes.run("campaign", "remind", str(YEAR), "--quiet")
        assert first.splitlines()[0].startswith(f"0 reminder(s) of {YEAR} written for ")
        second = processes.run("campaign", "remind", str(YEAR), "--quiet")
        assert second.splitlines()[0].startswith(f"0 reminder(s) of {YEAR} written for ")
        # Créteil's sent, Meaux's refused; Paris's (claimed) left alone.
        assert first.splitlines()[-1] == f"reminders of {YEAR}: 1 sent, 1 refused by the relay"
        assert second.splitlines()[-1] == f"reminders of {YEAR}: 0 sent, 0 refused by the relay"

        # A new worker: once the lease of the killed one's mail is over, it sends it.
        processes.start("worker", "worker")
        due = {"direction@ml-paris.example.org", "contact@ml-creteil.example.org"}
        wait_for(
            lambda: due <= {r for m in inbox.all() for r in m.recipients if "Rappel" in m.subject},
            "every reminder due",
        )
        time.sleep(3)  # room for a duplicate, if there were to be one
        third = processes.run("campaign", "remind", str(YEAR), "--quiet")
        assert third.splitlines()[-1] == f"reminders of {YEAR}: 0 sent, 0 refused by the relay"

        reminders = [m for m in inbox.all() if m.subject.startswith("Rappel")]
        assert sorted(m.recipients[0] for m in reminders) == sorted(due)
        assert len({m.message_id for m in reminders}) == 2
        paris = inbox.to("direction@ml-paris.example.org")[0]
        closing = day_in_words(closes, weekday=True)
        assert f"se termine le {closing} inclus, dans 3 jours." in " ".join(paris.text.split())
        keep("reminder", paris)
        assert len(inbox.all()) == 4  # two decisions, two reminders: each once

    sessions = session_factory(engine_for(postgres_url))
    with sessions() as session:
        mails = {(m.kind, m.structure_id): m for m in session.scalars(select(Mail))}
    assert set(mails) == {
        ("rejected", "ML-11-002"), ("validated", "ML-11-004"),
        ("reminder", "ML-11-001"), ("reminder", "ML-11-002"), ("reminder", "ML-11-006"),
    }  # fmt: skip
    assert mails[("reminder", "ML-11-006")].status == "refused"
    assert "550 5.1.1 <gone@ml-meaux.example.org>" in (
        mails[("reminder", "ML-11-006")].last_error or ""
    )
    assert mails[("reminder", "ML-11-001")].attempts == 2  # the killed worker's, then the new one's
    assert {m.status for key, m in mails.items() if key != ("reminder", "ML-11-006")} == {"sent"}
    reminder_day = closes - dt.timedelta(days=3)
    assert {m.reminder_day for m in mails.values() if m.kind == "reminder"} == {reminder_day}
