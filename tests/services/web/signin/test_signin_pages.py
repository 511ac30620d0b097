"""/connexion: every role that has pages signs in with its token, as /admin did; the sign-in
is a database row, its cookie reaches the signed-in paths only; 401 and 403 are French
pages; sign-out ends the sign-in on the server; a sign-in never leads to another site."""

from __future__ import annotations

import html
import re

import pytest
from flask.testing import FlaskClient

from tests.support.web import connect, csrf_of, page_text

SIGNED_IN_PAGES = ["/declarations", "/declarations/2007/ML-11-001", "/admin"]


@pytest.mark.parametrize(
    ("who", "home", "name"),
    [
        ("paris", "/declarations", "Mission locale de Paris — structure"),
        ("idf", "/declarations", "DRTEFP Île-de-France — validation régionale"),
        ("admin", "/admin", "Administration nationale — administrateur"),
    ],
)
def test_every_role_signs_in_and_sees_who_it_is(
    client: FlaskClient, tokens: dict[str, str], who: str, home: str, name: str
) -> None:
    csrf = csrf_of(client.get("/connexion").get_data(as_text=True))
    response = client.post("/connexion", data={"token": tokens[who], "csrf": csrf})
    assert response.status_code == 302 and response.headers["Location"] == home
    cookie = " ".join(response.headers.getlist("Set-Cookie"))
    for path in ("/admin", "/connexion", "/declarations", "/chiffres-exacts"):
        assert f"Path={path}" in cookie
    assert "Path=/;" not in cookie and tokens[who] not in cookie
    text = page_text(client, home)
    identity = text.split('id="identity"', 1)[1].split(">", 1)[1].split("</a>", 1)[0]
    assert " ".join(re.sub("<[^>]+>", "", identity).split()) == name
    assert "Se déconnecter" in text
    # The menu's entries by role: the exact figures and Déclarations for all three,
    # Administration for admins.
    menu = text.split('aria-label="Menu principal"', 1)[1].split("</nav>", 1)[0]
    shown = [
        part.split(">", 2)[2].split("<", 1)[0]
        for part in menu.split('<li class="fr-nav__item"')[1:]
        if "hidden" not in part.split(">", 1)[0]
    ]
    expected = ["Chiffres clés", "Chiffres exacts", "Rapports", "Déclarations"]
    assert shown == expected + (["Administration"] if who == "admin" else [])


def test_a_source_token_cannot_sign_in(client: FlaskClient, tokens: dict[str, str]) -> None:
    csrf = csrf_of(client.get("/connexion").get_data(as_text=True))
    response = client.post("/connexion", data={"token": tokens["source"], "csrf": csrf})
    assert response.status_code == 403
    text = html.unescape(response.get_data(as_text=True))
    assert "Ce jeton sert à transmettre des événements" in text
    assert 'class="fr-error-text" id="token-error"' in text  # beside the field
    unknown = client.post("/connexion", data={"token": "bilan_nope", "csrf": csrf})
    assert unknown.status_code == 401
    assert "Ce jeton n'est pas valide" in html.unescape(unknown.get_data(as_text=True))


@pytest.mark.parametrize("url", SIGNED_IN_PAGES)
def test_signed_in_pages_without_a_sign_in_are_the_french_401_page(
    client: FlaskClient, url: str
) -> None:
    text = page_text(client, url, 401)
    assert "connexion" in text.lower() and 'name="token"' in text
    # The form comes back to the page asked for.
    if url != "/admin":
        assert f'<input type="hidden" name="suite" value="{url}">' in text
    assert client.get(url).headers["Cache-Control"] == "no-store"


def test_after_signing_in_the_page_asked_for(client: FlaskClient, tokens: dict[str, str]) -> None:
    page = client.get("/declarations/2007/ML-11-001").get_data(as_text=True)
    response = client.post(
        "/connexion",
        data={
            "token": tokens["paris"],
            "csrf": csrf_of(page),
            "suite": "/declarations/2007/ML-11-001",
        },
    )
    assert response.headers["Location"] == "/declarations/2007/ML-11-001"


@pytest.mark.parametrize(
    "suite", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"]
)
def test_a_sign_in_never_leads_to_another_site(
    client: FlaskClient, tokens: dict[str, str], suite: str
) -> None:
    csrf = csrf_of(client.get("/connexion").get_data(as_text=True))
    response = client.post(
        "/connexion", data={"token": tokens["paris"], "csrf": csrf, "suite": suite}
    )
    assert response.headers["Location"] == "/declarations"


@pytest.mark.parametrize(
    ("who", "url", "message"),
    [
        ("paris", "/admin", "réservée à l'administration nationale"),
        ("idf", "/admin", "réservée à l'administration nationale"),
        ("paris", "/declarations/2007/PAIO-24-001", "la déclaration de votre structure seulement"),
        ("centre", "/declarations/2007/ML-11-001", "de la région Centre seulement"),
        ("idf", "/declarations/2007/ML-11-001/saisie", "réservée aux structures"),
        ("centre", "/declarations?region=11", "région Centre seulement"),
    ],
)
def test_a_role_refused_gets_a_french_403_page(
    client: FlaskClient, tokens: dict[str, str], who: str, url: str, message: str
) -> None:
    connect(client, tokens[who])
    text = page_text(client, url, 403)
    assert message in text
    assert "Accès refusé (erreur 403)" in text


def test_sign_out_ends_the_sign_in_everywhere(client: FlaskClient, tokens: dict[str, str]) -> None:
    csrf = connect(client, tokens["paris"])
    copied = client.get_cookie("session", path="/declarations")
    assert copied is not None
    response = client.post("/connexion/deconnexion", data={"csrf": csrf})
    assert response.status_code == 302
    assert "déconnecté" in page_text(client, "/connexion")
    assert "Set-Cookie" not in client.get("/").headers
    # The cookie of before, replayed: its row is gone.
    client.set_cookie("session", copied.value, path="/declarations")
    page_text(client, "/declarations", 401)
    # The signed-in page without a sign-in says so to the browser's menu (nav.js).
    assert '<script type="application/json" id="sign-in-data">null</script>' in page_text(
        client, "/connexion"
    )


def test_the_public_pages_say_nothing_of_the_sign_in(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    connect(client, tokens["admin"])
    for url in ("/", "/rapports", "/rapports/2007"):
        response = client.get(url)
        assert "Set-Cookie" not in response.headers, url
        assert "Cookie" not in response.headers.get("Vary", ""), url
        text = response.get_data(as_text=True)
        assert 'id="sign-in-data"' not in text and "Se connecter" in text, url
        # The role entries are there, hidden, for nav.js to show.
        assert '<li class="fr-nav__item" data-roles="admin" hidden>' in text, url
