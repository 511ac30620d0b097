"""The French page ``/``: live figures rendered by the server, French formatting, freshness."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from shared.storage.models.counters import FigureCounts
from tests.support.events import apply_all, event, record
from tests.support.web import NNBSP
from tests.support.web import page_text as page


def shown(text: str, key: str) -> str:
    """The value a figure's cell shows."""
    match = re.search(rf'data-figure="{key}"[^>]*>([^<]*)<', text)
    assert match, key
    return match.group(1)


@pytest.fixture
def report_2007(sessions: sessionmaker[Session]) -> None:
    """National 2007 counters at the scale of the report."""
    with sessions.begin() as session:
        session.add(
            FigureCounts(
                period="2007",
                scope="national",
                youths_first_reception=452_000,
                youths_in_contact=1_234_567,
                youths_received=1_005_000,
                youths_interviewed=995_800,
                interviews=3_600_000,
                youths_with_access=481_000,
                youths_employment=296_600,
                youths_subsidized_or_work_study=79_800,
                youths_training=191_900,
                civis_entries=174_184,
                civis_exits=148_856,
                civis_exits_durable_employment=59_849,
                civis_exits_non_durable_employment=10_909,
                civis_exits_training=8_929,
                civis_exits_other=69_169,
            )
        )


def test_page_shows_french_numbers(client: FlaskClient, report_2007: None) -> None:
    text = page(client, "/?year=2007")
    assert '<html lang="fr"' in text
    assert "Chiffres clés 2007" in text
    assert "France entière" in text
    assert shown(text, "youths_in_contact") == f"1{NNBSP}234{NNBSP}567"
    assert shown(text, "interviews") == f"3{NNBSP}600{NNBSP}000"
    assert shown(text, "youths_first_reception") == f"452{NNBSP}000"
    assert shown(text, "civis_entries") == f"174{NNBSP}184"
    assert shown(text, "access_rate") == f"48{NNBSP}%"  # 481 000 / 995 800


def test_page_has_the_report_labels(client: FlaskClient) -> None:
    # Nothing recorded: every count is 0, and French puts its label in the singular.
    text = page(client)
    for label in (
        "jeune en premier accueil",
        "jeune en contact",
        "jeune reçu en entretien individuel",
        "entretien individuel",
        "Accès à l'emploi ou à la formation",
        "a obtenu un emploi classique",
        "emploi aidé ou un emploi en alternance",
        "est entré en formation",
        "jeune entré en CIVIS",
        "jeune sorti du CIVIS",
        "emploi durable",
        "emploi de moins de six mois",
        "autres motifs",
    ):
        assert label in text, label
    assert "jeunes en contact" not in text and "jeunes sortis du CIVIS" not in text


def test_page_shows_live_figures_and_freshness(
    client: FlaskClient, sessions: sessionmaker[Session]
) -> None:
    text = page(client, "/?year=2007")
    assert '<span id="freshness-state">à jour</span>' in text
    assert shown(text, "youths_interviewed") == "0"

    with sessions.begin() as session:
        record(session, [event("e1", youth="Y1"), event("e2", youth="Y2")])
    text = page(client, "/?year=2007")
    assert "2 événements en cours d'intégration" in text
    assert shown(text, "youths_interviewed") == "0"

    with sessions.begin() as session:
        record(session, [event("e3", youth="Y3")])
    apply_all(sessions)
    text = page(client, "/?year=2007")
    assert '<span id="freshness-state">à jour</span>' in text
    assert shown(text, "youths_interviewed") == "3"
    assert shown(text, "interviews") == "3"
    assert shown(text, "access_rate") == f"0{NNBSP}%"
    assert re.search(r'<time id="freshness-time" datetime="[^"]+">\d\d:\d\d:\d\d</time>', text)


def test_page_defaults_to_the_current_year(
    client: FlaskClient, sessions: sessionmaker[Session]
) -> None:
    year = dt.date.today().year
    with sessions.begin() as session:
        record(session, [event("now", "first_reception", on=dt.date.today().isoformat())])
    apply_all(sessions)
    for url in ("/", "/?year="):
        text = page(client, url)
        assert f"Chiffres clés {year}" in text
        assert shown(text, "youths_first_reception") == "1"
        assert f'data-url="/donnees.json?year={year}"' in text


def test_page_polls_its_data_call(client: FlaskClient) -> None:
    text = page(client, "/?year=2007&region=11")
    assert 'data-url="/donnees.json?year=2007&region=11"' in text
    assert 'data-refresh-ms="5000"' in text
    assert '<script src="/static/dashboard.js"></script>' in text
    script = client.get("/static/dashboard.js").get_data(as_text=True)
    assert "fetch(root.dataset.url" in script
    assert "setTimeout(refresh, delay)" in script
    endpoint = re.search(r'data-url="([^"]+)"', text)
    assert endpoint
    assert client.get(endpoint.group(1)).status_code == 200


def test_page_filters_by_region_and_structure(
    client: FlaskClient, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        record(
            session,
            [
                event("a", youth="Y1"),
                event("b", structure="ML-11-002", youth="Y1"),
                event("c", structure="PAIO-24-001", youth="Y2"),
            ],
        )
    apply_all(sessions)
    assert shown(page(client, "/?year=2007"), "youths_interviewed") == "2"
    text = page(client, "/?year=2007&region=11")
    assert "— Île-de-France" in text
    assert shown(text, "youths_interviewed") == "1"
    assert shown(text, "interviews") == "2"
    assert '<option value="11" selected>' in text
    text = page(client, "/?year=2007&structure=ML-11-002")
    assert "— Mission locale de Créteil" in text
    assert shown(text, "interviews") == "1"
    assert '<option value="ML-11-002" selected>' in text
    assert 'data-url="/donnees.json?year=2007&structure=ML-11-002"' in text
    # The form sends both selects; the structure, the narrower choice, wins.
    text = page(client, "/?year=2007&region=24&structure=ML-11-002")
    assert "— Mission locale de Créteil" in text


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/?year=abc", 400, "L'année demandée n'est pas valide."),
        ("/?year=1970", 400, "L'année demandée n'est pas valide."),
        ("/?region=99", 404, "Cette région n'existe pas."),
        ("/?structure=NOPE", 404, "Cette structure n'est pas dans le répertoire."),
    ],
)
def test_page_errors_are_in_french(
    client: FlaskClient, url: str, status: int, message: str
) -> None:
    text = page(client, url, status)
    assert message in text
    assert "data-figure=" not in text
