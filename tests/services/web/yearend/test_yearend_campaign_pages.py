"""The campaign on the pages, with the Flask client: the admin sets each year's window (ICARE's
proposed) and sees who was reminded; a structure sees its window, changes its contact address
and reads its mails; a validator sees the days left and who has not declared."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from shared.access.tokens import Caller
from shared.declarations.campaign_window import save_window, window_of
from shared.declarations.reminders import write_reminders
from shared.declarations.workflow import REJECTED, decide, submit
from shared.mail.delivery import send_due_mails
from shared.mail.outbox import MailConfig
from shared.publication.french_dates import day_in_words
from shared.registry import set_contact
from shared.storage.models.declarations import Declaration
from shared.storage.models.registry import Structure
from shared.times import paris_today
from tests.support.declarations import declaration_fields
from tests.support.web import connect, make_app, page_text, sign_in

ADMIN = Caller(1, "admin", frozenset(), None)
TODAY = paris_today()
YEAR = TODAY.year - 1  # the pages' campaign year


def text_of(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def words(page: str) -> str:
    """A page's text with its spaces evened out (the templates' line breaks)."""
    return " ".join(page.split())


@pytest.fixture
def mailing(database_url: str, registry: Any, tmp_path: Path) -> Flask:
    """The web app with mail on: the demo's folder as the way out."""
    app = make_app(database_url)
    app.config["SETTINGS"] = replace(app.config["SETTINGS"], mail_dir=str(tmp_path / "mails"))
    return app


def open_campaign(sessions: sessionmaker[Session], closes_in: int = 3) -> dt.date:
    closes = TODAY + dt.timedelta(days=closes_in)
    with sessions.begin() as session:
        save_window(session, ADMIN, YEAR, TODAY - dt.timedelta(days=30), closes)
    return closes


def test_the_admin_form_proposes_icare_and_saves_the_window(
    client: FlaskClient, sessions: sessionmaker[Session], tokens: dict[str, str]
) -> None:
    csrf = sign_in(client, tokens["admin"])
    page = page_text(client, f"/admin?year={YEAR}")
    assert f"Aucune période de déclaration n'est fixée pour {YEAR}" in page
    assert f'id="opens_on" name="opens_on" type="date" value="{YEAR + 1}-04-01"' in page
    assert f'id="closes_on" name="closes_on" type="date" value="{YEAR + 1}-06-30"' in page
    response = client.post(
        f"/admin/campagnes/{YEAR}",
        data={"csrf": csrf, "opens_on": f"{YEAR + 1}-04-01", "closes_on": f"30/06/{YEAR + 1}"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/admin?year={YEAR}#window-title")
    with sessions() as session:
        window = window_of(session, YEAR)
    assert (window.opens_on, window.closes_on) == (
        dt.date(YEAR + 1, 4, 1),
        dt.date(YEAR + 1, 6, 30),
    )
    page = words(page_text(client, f"/admin?year={YEAR}"))
    first = day_in_words(dt.date(YEAR + 1, 4, 1), weekday=True)
    assert f"Campagne {YEAR} : les structures déclarent du {first} au" in page
    j14 = day_in_words(dt.date(YEAR + 1, 6, 16), weekday=True)
    assert f"reçoivent un rappel le {j14} (14 jours avant la clôture) puis le" in page


@pytest.mark.parametrize(
    ("opens", "closes", "field", "says"),
    [
        (f"{YEAR + 1}-06-30", f"{YEAR + 1}-04-01", "closes_on", "La date de clôture précède"),
        ("", f"{YEAR + 1}-06-30", "opens_on", "Indiquez la date d'ouverture."),
        (f"31/02/{YEAR + 1}", f"{YEAR + 1}-06-30", "opens_on", "Indiquez une date qui existe"),
        ("1er avril", f"{YEAR + 1}-06-30", "opens_on", "au format JJ/MM/AAAA"),
        (f"{YEAR - 5}-04-01", f"{YEAR + 1}-06-30", "opens_on",
         f"ouvre au plus tôt le 1er janvier {YEAR}"),
        (f"{YEAR + 1}-04-01", f"{YEAR + 10}-06-30", "closes_on",
         f"au plus tard le 31 décembre {YEAR + 2}"),
    ],
)  # fmt: skip
def test_a_bad_window_is_shown_again_with_its_error_and_nothing_saved(
    client: FlaskClient,
    sessions: sessionmaker[Session],
    tokens: dict[str, str],
    opens: str,
    closes: str,
    field: str,
    says: str,
) -> None:
    csrf = sign_in(client, tokens["admin"])
    response = client.post(
        f"/admin/campagnes/{YEAR}", data={"csrf": csrf, "opens_on": opens, "closes_on": closes}
    )
    assert response.status_code == 422
    page = text_of(response)
    assert f'aria-invalid="true" aria-describedby="{field}-error"' in page
    assert f'<p class="fr-error-text" id="{field}-error">' in page and says in page
    assert f'value="{opens}"' in page  # what was typed stays
    with sessions() as session:
        assert window_of(session, YEAR).phase == "unset"


def test_the_window_form_is_the_admins_and_needs_its_csrf_token(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    body = {"opens_on": f"{YEAR + 1}-04-01", "closes_on": f"{YEAR + 1}-06-30"}
    sign_in(client, tokens["admin"])
    assert client.post(f"/admin/campagnes/{YEAR}", data=body).status_code == 400
    other = make_app(client.application.config["SETTINGS"].database_url).test_client()
    csrf = connect(other, tokens["idf"])
    assert other.post(f"/admin/campagnes/{YEAR}", data={**body, "csrf": csrf}).status_code == 403
    csrf = sign_in(client, tokens["admin"])
    bad_year = client.post("/admin/campagnes/1900", data={**body, "csrf": csrf})
    assert bad_year.status_code == 400 and "L'année doit être comprise entre" in text_of(bad_year)


def test_the_admin_sees_who_was_reminded_and_when(
    mailing: Flask, sessions: sessionmaker[Session], tokens: dict[str, str]
) -> None:
    with sessions.begin() as session:
        set_contact(session, "ML-11-001", "direction@ml-paris.example.org")
        set_contact(session, "ML-11-002", "refused@ml-creteil.example.org")
    open_campaign(sessions)
    settings = mailing.config["SETTINGS"]
    with sessions.begin() as session:
        write_reminders(session, MailConfig.of(settings), YEAR, settings.reminder_days)  # type: ignore[arg-type]
    send_due_mails(sessions, settings)
    client = mailing.test_client()
    sign_in(client, tokens["admin"])
    page = page_text(client, f"/admin?year={YEAR}")
    assert "Courriels de la campagne" in page and "2 envoyés, 0 en attente, 0 refusé" in page
    assert 'data-structure="ML-11-001" data-status="sent"' in page
    assert "direction@ml-paris.example.org" in page
    assert "envoyé le" in page
    assert "1 structure sans adresse de contact ne peut pas être relancée" in page
    assert "PAIO de Chartres" in page


def test_the_admin_is_told_when_no_mail_leaves(client: FlaskClient, tokens: dict[str, str]) -> None:
    sign_in(client, tokens["admin"])
    assert "bilan n'envoie pas de courriels sur ce serveur" in page_text(
        client, f"/admin?year={YEAR}"
    )


def test_a_structure_sees_its_window_its_address_and_its_mails(
    mailing: Flask, sessions: sessionmaker[Session], tokens: dict[str, str]
) -> None:
    open_campaign(sessions, 12)
    client = mailing.test_client()
    csrf = connect(client, tokens["paris"])
    page = page_text(client, "/declarations")
    assert f"La campagne {YEAR} est ouverte du" in page and "plus que 12 jours" in page
    assert "Aucune adresse n'est enregistrée" in page
    assert "Aucun courriel n'a encore été envoyé à la structure." in page

    saved = client.post(
        "/declarations/contact", data={"csrf": csrf, "email": "direction@ml-paris.example.org"}
    )
    assert (saved.status_code, saved.headers["Location"]) == (303, "/declarations#contact-title")
    page = page_text(client, "/declarations")
    assert "Adresse de contact enregistrée : direction@ml-paris.example.org." in page
    assert 'value="direction@ml-paris.example.org"' in page

    refused = client.post(
        "/declarations/contact", data={"csrf": csrf, "email": "direction at paris"}
    )
    assert refused.status_code == 422
    assert "Cette adresse n'est pas valide" in text_of(refused)
    assert 'value="direction at paris"' in text_of(refused)
    with sessions.begin() as session:
        assert session.get_one(Structure, "ML-11-001").email == "direction@ml-paris.example.org"
        submit(session, ADMIN, YEAR, "ML-11-001", declaration_fields())
        decide(
            session,
            ADMIN,
            YEAR,
            "ML-11-001",
            REJECTED,
            "FSE absent",
            MailConfig.of(mailing.config["SETTINGS"]),
        )
    page = page_text(client, "/declarations")
    assert f"Déclaration ICARE {YEAR} rejetée, à corriger - Mission locale de Paris" in page
    assert "« FSE absent »" in page and "en attente d'envoi" in page

    removed = client.post("/declarations/contact", data={"csrf": csrf, "email": ""})
    assert removed.status_code == 303
    assert "Adresse de contact retirée" in page_text(client, "/declarations")


def test_the_contact_form_needs_its_csrf_token_and_a_structure(
    client: FlaskClient, sessions: sessionmaker[Session], tokens: dict[str, str]
) -> None:
    connect(client, tokens["paris"])
    response = client.post("/declarations/contact", data={"email": "a@ml-paris.example.org"})
    assert response.status_code == 400
    validator = make_app(client.application.config["SETTINGS"].database_url).test_client()
    csrf = connect(validator, tokens["idf"])
    posted = validator.post("/declarations/contact", data={"csrf": csrf, "email": "a@b.fr"})
    assert posted.status_code == 403
    with sessions() as session:
        assert session.get_one(Structure, "ML-11-001").email is None


def test_another_structures_address_is_never_shown(
    client: FlaskClient, sessions: sessionmaker[Session], tokens: dict[str, str]
) -> None:
    with sessions.begin() as session:
        set_contact(session, "ML-11-002", "secret@ml-creteil.example.org")
    connect(client, tokens["paris"])
    assert "secret@ml-creteil.example.org" not in page_text(client, "/declarations")
    validator = make_app(client.application.config["SETTINGS"].database_url).test_client()
    connect(validator, tokens["idf"])
    assert "secret@ml-creteil.example.org" not in page_text(validator, f"/declarations?year={YEAR}")


def test_outside_its_window_a_structure_cannot_declare(
    client: FlaskClient, sessions: sessionmaker[Session], tokens: dict[str, str]
) -> None:
    with sessions.begin() as session:
        save_window(session, ADMIN, YEAR, dt.date(YEAR + 1, 1, 1), TODAY - dt.timedelta(days=1))
    csrf = connect(client, tokens["paris"])
    page = page_text(client, "/declarations")
    assert f"La campagne {YEAR} est close depuis le" in page
    assert "La saisie n'est pas ouverte en ce moment" in page
    assert f"/declarations/{YEAR}/ML-11-001/saisie" not in page
    form = page_text(client, f"/declarations/{YEAR}/ML-11-001/saisie")
    assert "La saisie n'est pas ouverte" in form and 'id="declaration-form"' not in form
    form = {
        "professionals": "23", "funding_main": "900000", "funding_specific": "100000",
        "funding_managed_funds": "50000", "funder_state": "400000", "funder_region": "200000",
        "funder_department": "100000", "funder_municipalities": "200000", "funder_esf": "60000",
        "funder_other": "40000",
    }  # fmt: skip
    posted = client.post(f"/declarations/{YEAR}/ML-11-001/saisie", data={"csrf": csrf, **form})
    assert posted.status_code == 409
    assert "La campagne de déclaration de cette année n'est pas ouverte en ce moment" in (
        text_of(posted)
    )
    with sessions() as session:
        assert session.get(Declaration, (YEAR, "ML-11-001")) is None


def test_the_validator_sees_the_days_left_and_who_has_not_declared(
    client: FlaskClient, sessions: sessionmaker[Session], tokens: dict[str, str]
) -> None:
    open_campaign(sessions, 5)
    with sessions.begin() as session:
        submit(session, ADMIN, YEAR, "ML-11-002", declaration_fields())
        decide(session, ADMIN, YEAR, "ML-11-002", REJECTED, "Effectif manquant")
    connect(client, tokens["idf"])
    page = page_text(client, f"/declarations?year={YEAR}")
    assert f"Campagne {YEAR} : plus que 5 jours" in page
    assert "1 structure n'a pas encore transmis de déclaration" in page
    assert "1 déclaration rejetée attend d'être corrigée" in page
    missing = page.split('id="not-sent"')[1].split("</details>")[0]
    assert "Mission locale de Paris" in missing and "Créteil" not in missing
    assert "PAIO de Chartres" not in page  # another region


def test_a_validator_page_without_a_window_says_so(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    connect(client, tokens["centre"])
    page = page_text(client, f"/declarations?year={YEAR}")
    assert f"Aucune période de déclaration n'est fixée pour {YEAR}" in page
