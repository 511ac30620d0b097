"""The footer's mandatory links (DSFR) on every page, and their pages: the site's plan, the
accessibility statement (non conforme: no audit yet), the legal notice (what the operator
must fill in marked as such) and what bilan does with personal data."""

from __future__ import annotations

import html
import re
from dataclasses import replace

import pytest
from flask.testing import FlaskClient

from tests.support.web import connect, make_app

FOOTER = [
    ("/plan-du-site", "Plan du site"),
    ("/accessibilite", "Accessibilité : non conforme"),
    ("/mentions-legales", "Mentions légales"),
    ("/donnees-personnelles", "Données personnelles"),
]


def footer_links(text: str) -> list[tuple[str, str]]:
    footer = text.split('id="pied-de-page"', 1)[1]
    return re.findall(r'<a class="fr-footer__bottom-link" href="([^"]+)">([^<]+)</a>', footer)


@pytest.mark.parametrize("url", ["/", "/rapports", "/connexion", "/plan-du-site", "/nope"])
def test_every_page_has_the_footers_links(client: FlaskClient, url: str) -> None:
    text = html.unescape(client.get(url).get_data(as_text=True))
    links = footer_links(text)
    assert links[:4] == FOOTER
    assert "Gestion des cookies" not in text  # no cookie but the session's: nothing to manage


def test_a_signed_in_page_has_them_too(client: FlaskClient, tokens: dict[str, str]) -> None:
    connect(client, tokens["admin"])
    text = html.unescape(client.get("/admin").get_data(as_text=True))
    assert footer_links(text)[:4] == FOOTER


def test_each_page_answers_in_french(client: FlaskClient) -> None:
    for url, _ in FOOTER:
        answer = client.get(url)
        assert answer.status_code == 200, url
        text = html.unescape(answer.get_data(as_text=True))
        assert '<html lang="fr"' in text
        assert re.search(r"<h1>[^<]+</h1>", text), url
    plan = html.unescape(client.get("/plan-du-site").get_data(as_text=True))
    for href in ("/", "/rapports", "/connexion", "/chiffres-exacts", "/declarations", "/admin"):
        assert f'href="{href}"' in plan, href


@pytest.mark.parametrize(
    ("url", "heading", "crumb"),
    [
        ("/plan-du-site", "Plan du site", "Plan du site"),
        ("/accessibilite", "Déclaration d'accessibilité", "Accessibilité"),
        ("/mentions-legales", "Mentions légales", "Mentions légales"),
        ("/donnees-personnelles", "Données personnelles", "Données personnelles"),
    ],
)
def test_each_page_names_itself_in_its_title_heading_and_breadcrumb(
    client: FlaskClient, url: str, heading: str, crumb: str
) -> None:
    text = html.unescape(client.get(url).get_data(as_text=True))
    assert f"<title>{heading} — missions locales</title>" in text
    assert re.findall(r"<h1>([^<]+)</h1>", text) == [heading]
    trail = re.findall(r'<a class="fr-breadcrumb__link"[^>]*>([^<]+)</a>', text)
    assert trail == ["Accueil", crumb]


def test_the_pages_say_what_is_true(client: FlaskClient) -> None:
    accessibility = html.unescape(client.get("/accessibilite").get_data(as_text=True))
    assert "<strong>non conforme</strong>" in accessibility
    assert "aucun audit n'a encore été réalisé" in accessibility
    assert "Défenseur des droits" in accessibility
    notice = html.unescape(client.get("/mentions-legales").get_data(as_text=True))
    hosting = notice.split("Hébergement</h2>", 1)[1].split("</p>", 1)[0]
    assert "[à compléter par l'exploitant : nom, adresse et téléphone de l'hébergeur]" in hosting
    data = html.unescape(client.get("/donnees-personnelles").get_data(as_text=True))
    assert "identifiant pseudonyme" in data
    assert "empreinte (SHA-256), jamais le jeton lui-même" in data
    assert "<code>session</code>, strictement nécessaire" in data
    assert "La session dure au plus 8 heures" in data  # BILAN_SESSION_HOURS
    assert "10/minute" in data  # BILAN_AUTH_FAILURE_LIMIT


def test_personal_data_says_the_purge_and_the_audit_with_the_settings(
    database_url: str, registry: object
) -> None:
    app = make_app(database_url)
    data = html.unescape(app.test_client().get("/donnees-personnelles").get_data(as_text=True))
    assert "Ce que la purge supprime" in data and "Ce qu'elle garde" in data
    assert "aucune purge automatique" in data
    assert "Il est conservé 365 jours." in data  # BILAN_AUDIT_RETENTION_DAYS
    assert "sauvegardes" in data
    app.config["SETTINGS"] = replace(
        app.config["SETTINGS"], retention_years=3, audit_retention_days=90
    )
    data = html.unescape(app.test_client().get("/donnees-personnelles").get_data(as_text=True))
    assert "3 années complètes après la fin de l'année" in data
    assert "Il est conservé 90 jours." in data
