"""``/chiffres-exacts``: the dashboard in exact figures for a session of every role (structure,
validator, admin), with its data call and its CSV export; the French 401 sign-in page
without a session; never cached; and the session cookie never sent to the public ``/``."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from shared.figures import FIGURE_KEYS
from shared.publication.labels import LABELS
from shared.publication.spreadsheets import spreadsheet_number
from tests.support.dashboard import csv_table, read_dashboard
from tests.support.events import apply_all, event, record
from tests.support.web import bearer, connect, page_text

# Paris: three youths interviewed, one leaving CIVIS for a training; Créteil: one; six
# contacts at each. Every count of the structures is below 5 but the contacts.
SMALL = [
    *(event(f"p{n}", "interview", on="2007-03-05", youth=f"P{n}") for n in range(3)),
    event("p0-x", "civis_exit", on="2007-03-20", youth="P0", exit_reason="training"),
    event("c0", "interview", on="2007-03-06", structure="ML-11-002", youth="C0"),
    *(
        event(f"k{n}", "contact", on="2007-04-02", structure=f"ML-11-00{1 + n % 2}", youth=f"K{n}")
        for n in range(12)
    ),
]
QUERY = "year=2007&structure=ML-11-001"
URLS = [f"/chiffres-exacts?{QUERY}", f"/chiffres-exacts/donnees.json?{QUERY}"]
URLS += [f"/chiffres-exacts/export.csv?{QUERY}"]


@pytest.fixture
def small(sessions: sessionmaker[Session], registry: Any) -> None:
    with sessions.begin() as session:
        record(session, SMALL)
    apply_all(sessions)


def exact_figures(client: FlaskClient, token: str, query: str = QUERY) -> dict[str, Any]:
    response = client.get(f"/v1/figures?{query}", headers=bearer(token))
    figures: dict[str, Any] = response.get_json()["figures"]
    return figures


@pytest.mark.parametrize("who", ["paris", "idf", "admin"])
def test_every_role_signed_in_reads_exact_figures(
    public: FlaskClient, small: None, tokens: dict[str, str], who: str
) -> None:
    exact = exact_figures(public, tokens["admin"])
    assert exact["youths_interviewed"] == 3 and exact["civis_exits_training"] == 1
    connect(public, tokens[who])
    response = public.get(f"/chiffres-exacts?{QUERY}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    html = response.get_data(as_text=True)
    page = read_dashboard(html)
    assert all(not shown.withheld for shown in page.figures.values())
    assert page.figures["youths_interviewed"].text == "3"
    assert page.figures["civis_exits_training"].text == "1"
    [paris] = [
        cells for label, cells in page.rows["breakdown"] if label == "Mission locale de Paris"
    ]
    assert all(not cell.withheld for cell in paris) and paris[2].text == "3"
    text = page_text(public, f"/chiffres-exacts?{QUERY}")
    assert "chiffres exacts, réservés aux membres du réseau connectés" in text
    assert "la page publique marque « s » (secret statistique)" in text
    assert "ne doivent pas être republiées" in text
    assert "Connectez-vous pour voir les chiffres exacts" not in text
    # Its filters, sort links, data call and exports stay in the exact edition.
    assert 'action="/chiffres-exacts"' in text
    assert f'data-url="/chiffres-exacts/donnees.json?{QUERY}"' in text
    assert f'href="/chiffres-exacts/export.csv?{QUERY}"' in text
    assert 'href="/chiffres-exacts?year=2007&structure=ML-11-001&sort=' in text

    data = public.get(f"/chiffres-exacts/donnees.json?{QUERY}")
    assert data.headers["Cache-Control"] == "private, no-store"
    dashboard = data.get_json()
    assert dashboard["figures"] == exact and "suppressed" not in dashboard
    assert dashboard["confidentiality"] is None
    assert all("suppressed" not in row for row in dashboard["breakdown"]["rows"])

    export = public.get(f"/chiffres-exacts/export.csv?{QUERY}")
    assert export.headers["Cache-Control"] == "private, no-store"
    rows = csv_table(public, f"/chiffres-exacts/export.csv?{QUERY}")
    header, *lines = rows
    paris_line = dict(
        zip(header, next(line for line in lines if line[3] == "ML-11-001"), strict=True)
    )
    for key in FIGURE_KEYS:
        wanted = spreadsheet_number(exact[key], percent=key == "access_rate")
        assert paris_line[LABELS[key].csv_header] == wanted, key
    assert all("secret statistique" not in line[0] for line in lines)


def test_the_public_dashboard_withholds_them_for_a_signed_in_reader_too(
    public: FlaskClient, small: None, tokens: dict[str, str]
) -> None:
    # One public page for everyone: signing in changes nothing on /, which never sees the
    # session cookie (and stays cacheable).
    connect(public, tokens["admin"])
    response = public.get(f"/?{QUERY}")
    assert "HTTP_COOKIE" not in response.request.environ
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"].startswith("public")
    page = read_dashboard(response.get_data(as_text=True))
    assert page.figures["youths_interviewed"].withheld
    for url in (f"/donnees.json?{QUERY}", f"/export.csv?{QUERY}"):
        answer = public.get(url)
        assert "HTTP_COOKIE" not in answer.request.environ, url
    # The exact page gets it.
    exact = public.get(f"/chiffres-exacts?{QUERY}")
    assert "session=" in exact.request.environ["HTTP_COOKIE"]


@pytest.mark.parametrize("url", URLS)
def test_without_a_session_the_french_401_sign_in_page(
    public: FlaskClient, small: None, url: str
) -> None:
    response = public.get(url)
    assert response.status_code == 401
    assert "no-store" in response.headers["Cache-Control"]
    text = page_text(public, url, 401)
    assert "Connexion requise" in text and 'name="token"' in text
    # The form comes back to the page asked for.
    assert f'<input type="hidden" name="suite" value="{url}">' in text
    assert "data-figure" not in text and "dashboard-data" not in text


def test_signing_in_from_the_401_page_comes_back_to_the_exact_figures(
    public: FlaskClient, small: None, tokens: dict[str, str]
) -> None:
    url = f"/chiffres-exacts?{QUERY}"
    page = public.get(url).get_data(as_text=True)
    csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    response = public.post(
        "/connexion", data={"token": tokens["paris"], "csrf": csrf, "suite": url}
    )
    assert response.status_code == 302 and response.headers["Location"] == url
    assert public.get(url).status_code == 200


def test_the_menu_offers_the_exact_figures_to_the_signed_in_only(
    public: FlaskClient, tokens: dict[str, str]
) -> None:
    entry = '<li class="fr-nav__item" data-roles="admin validator structure" hidden>'
    # On the public pages, hidden for nav.js to show to a browser that signed in.
    text = page_text(public, "/")
    assert entry in text
    assert text.split(entry, 1)[1].split("</li>", 1)[0].strip() == (
        '<a class="fr-nav__link" href="/chiffres-exacts">Chiffres exacts</a>'
    )
    connect(public, tokens["idf"])
    signed_in = page_text(public, "/chiffres-exacts")
    assert '<li class="fr-nav__item" data-roles="admin validator structure">' in signed_in
    assert 'href="/chiffres-exacts" aria-current="page">Chiffres exacts</a>' in signed_in


def test_with_the_rule_off_the_exact_page_says_nothing_of_republishing(
    client: FlaskClient, small: None, tokens: dict[str, str]
) -> None:
    connect(client, tokens["admin"])
    text = page_text(client, f"/chiffres-exacts?{QUERY}")
    assert "chiffres exacts, réservés aux membres du réseau connectés." in text
    assert "republiés" not in text
