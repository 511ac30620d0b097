"""The declarations' pages with the Flask client: a structure's form (French fields with
units, each error beside its field, the funders' sentence, last year's values), its
submission; a validator's regional page, its decisions; an admin's; CSRF on every form;
the API unchanged beside them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from services.web.yearend.declaration_form import MISMATCH, mismatch
from shared.access.tokens import Caller
from shared.declarations.workflow import decide, submit
from shared.storage.models.declarations import Declaration
from tests.support.declarations import DECLARATION, declaration_fields
from tests.support.web import NNBSP, bearer, connect, csrf_of, page_text

FORM = "/declarations/2007/ML-11-001/saisie"
PAGE = "/declarations/2007/ML-11-001"
GOOD = {
    "professionals": "23",
    "funding_main": "900 000",
    "funding_specific": "100000",
    "funding_managed_funds": f"50{NNBSP}000 €",
    "funder_state": "400000",
    "funder_region": "200000",
    "funder_department": "100000",
    "funder_municipalities": "200000",
    "funder_esf": "60000",
    "funder_other": "40000",
}
ADMIN = Caller(1, "admin", frozenset(), None)


def status_of(sessions: sessionmaker[Session], year: int = 2007) -> str | None:
    with sessions() as session:
        row = session.get(Declaration, (year, "ML-11-001"))
        return None if row is None else row.status


def test_the_form_in_french_with_units(client: FlaskClient, tokens: dict[str, str]) -> None:
    connect(client, tokens["paris"])
    text = page_text(client, FORM)
    for label in ("Professionnels", "Activité principale", "Fonds gérés", "Communes et EPCI"):
        assert f">{label}\n" in text or f">{label}<" in text or f">{label} " in text, label
    assert "En personnes." in text and text.count("En euros, sans centimes.") == 9
    assert 'inputmode="numeric"' in text and "novalidate" in text
    assert 'data-mismatch="' in text and "/static/declaration.js" in text


def test_errors_beside_each_field_then_a_submission(
    client: FlaskClient, tokens: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    csrf = connect(client, tokens["paris"])
    wrong = {
        **GOOD,
        "professionals": "",
        "funding_main": "-5",
        "funding_specific": "1,5",
        "funder_esf": "douze",
        "funder_other": "9" * 14,
    }
    response = client.post(FORM, data={**wrong, "csrf": csrf})
    assert response.status_code == 422
    text = page_text_of(response)
    expected = {
        "professionals": "Indiquez une valeur (0 s'il n'y en a pas).",
        "funding_main": "La valeur ne peut pas être négative.",
        "funding_specific": (
            "Indiquez un nombre entier d'euros, sans centimes, sans virgule ni point."
        ),
        "funder_esf": "Indiquez un nombre en chiffres, par exemple 1 250 000.",
        "funder_other": "La valeur ne peut pas dépasser 1 000 000 000 000 euros.".replace(
            " 000", f"{NNBSP}000"
        ),
    }
    for name, message in expected.items():
        assert f'<p class="fr-error-text" id="{name}-error">{message}</p>' in text, name
        assert f'aria-describedby="{name}-error"' in text
    assert "Le formulaire contient 5 erreurs" in text
    assert 'value="douze"' in text  # what was typed is shown again
    assert status_of(sessions) is None

    # The funders' sum, said as static/declaration.js says it (the same sentence).
    response = client.post(FORM, data={**GOOD, "funder_other": "0", "csrf": csrf})
    assert response.status_code == 422
    sentence = mismatch(960_000, 1_000_000)
    assert sentence == MISMATCH.format(
        funders=f"960{NNBSP}000{NNBSP}€",
        covered=f"1{NNBSP}000{NNBSP}000{NNBSP}€",
        gap=f"40{NNBSP}000{NNBSP}€",
    )
    assert f'<p class="fr-message fr-message--error" id="funders-error">{sentence}</p>' in (
        page_text_of(response)
    )
    assert status_of(sessions) is None

    response = client.post(FORM, data={**GOOD, "csrf": csrf})
    assert response.status_code == 303 and response.headers["Location"] == PAGE
    assert status_of(sessions) == "submitted"
    text = page_text(client, PAGE)
    assert (
        "Déclaration 2007 transmise : elle attend la validation de la DRTEFP Île-de-France." in text
    )
    assert "transmise, à valider" in text and "structure (jeton n°" in text
    assert f"900{NNBSP}000{NNBSP}€" in text and "(heure de Paris)" in text
    # The API sees the same declaration, unchanged.
    answer = client.get("/v1/declarations/2007/ML-11-001", headers=bearer(tokens["paris"]))
    assert answer.get_json()["declaration"]["funding"] == DECLARATION["funding"]


def page_text_of(response: Any) -> str:
    import html

    return html.unescape(response.get_data(as_text=True))


def test_last_years_validated_values_as_a_start(
    client: FlaskClient, tokens: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        submit(session, ADMIN, 2006, "ML-11-001", declaration_fields(professionals=19))
        decide(session, ADMIN, 2006, "ML-11-001", "validated")
    connect(client, tokens["paris"])
    text = page_text(client, FORM)
    assert "Partir des valeurs validées de 2006" in text
    assert re.search(r'id="professionals" name="professionals" [^>]* value=""', text)
    resumed = page_text(client, FORM + "?reprendre=1")
    assert "Les valeurs de la déclaration 2006 validée sont reprises" in resumed
    assert 'value="19"' in resumed and f'value="900{NNBSP}000"' in resumed
    # The declaration's page shows last year's beside this year's.
    client.post(FORM, data={**GOOD, "csrf": csrf_of(resumed)})
    assert "2006 (validée)" in page_text(client, PAGE)


def test_a_validator_rejects_with_a_reason_then_validates(
    client: FlaskClient, tokens: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        submit(session, ADMIN, 2007, "ML-11-001", declaration_fields())
    csrf = connect(client, tokens["idf"])
    region = page_text(client, "/declarations?year=2007")
    assert 'Déclarations annuelles 2007 <span class="scope">— Île-de-France</span>' in region
    # French puts 0 in the singular.
    assert "<strong>0</strong> validée sur <strong>2</strong> structures actives" in region
    assert "1 à valider" in region
    assert re.search(r'id="structure-ML-11-001" data-state="submitted"', region)
    assert re.search(r'id="structure-ML-11-002" data-state="none"', region)
    assert "PAIO-24-001" not in region  # another region's
    filtered = page_text(client, "/declarations?year=2007&status=none&q=creteil")
    assert "ML-11-002" in filtered and "ML-11-001" not in filtered
    assert "1 structure correspond aux filtres" in filtered
    assert page_text(client, "/declarations?year=2007&status=bogus", 400)

    detail = page_text(client, PAGE)
    assert "Valider la déclaration" in detail and "Rejeter la déclaration" in detail
    refused = client.post(f"{PAGE}/rejet", data={"csrf": csrf, "reason": "  "})
    assert refused.status_code == 422
    assert '<p class="fr-error-text" id="reason-error">Indiquez le motif du rejet.</p>' in (
        page_text_of(refused)
    )
    assert status_of(sessions) == "submitted"
    reason = "Les financeurs ne couvrent pas l'activité principale."
    assert client.post(f"{PAGE}/rejet", data={"csrf": csrf, "reason": reason}).status_code == 303
    assert status_of(sessions) == "rejected"

    # The structure reads why, corrects, resubmits.
    client.post("/connexion/deconnexion", data={"csrf": csrf})
    csrf = connect(client, tokens["paris"])
    form = page_text(client, FORM)
    assert f"Motif : « {reason} »" in form and 'value="23"' in form
    assert client.post(FORM, data={**GOOD, "csrf": csrf}).status_code == 303
    assert status_of(sessions) == "submitted"

    client.post("/connexion/deconnexion", data={"csrf": csrf})
    csrf = connect(client, tokens["idf"])
    assert client.post(f"{PAGE}/validation", data={"csrf": csrf}).status_code == 303
    assert status_of(sessions) == "validated"
    detail = page_text(client, PAGE)
    trail = detail.split('id="trail"', 1)[1]
    actions = re.findall(r"<td>(transmise à nouveau|transmise|rejetée|validée)</td>", trail)
    assert actions == ["validée", "transmise à nouveau", "rejetée", "transmise"]  # newest first
    assert reason in trail
    # Validated: the structure's form is locked.
    client.post("/connexion/deconnexion", data={"csrf": csrf})
    csrf = connect(client, tokens["paris"])
    locked = page_text(client, FORM)
    assert "elle ne peut plus être modifiée" in locked and 'id="declaration-form"' not in locked
    refused = client.post(FORM, data={**GOOD, "csrf": csrf})
    assert refused.status_code == 409 and status_of(sessions) == "validated"


def test_another_regions_validator_decides_nothing(
    client: FlaskClient, tokens: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        submit(session, ADMIN, 2007, "ML-11-001", declaration_fields())
    csrf = connect(client, tokens["centre"])
    response = client.post(f"{PAGE}/validation", data={"csrf": csrf})
    assert response.status_code == 403
    assert "vous validez les déclarations de la région Centre seulement" in page_text_of(response)
    assert status_of(sessions) == "submitted"
    # The API's refusal is unchanged: JSON.
    api = client.post("/v1/declarations/2007/ML-11-001/validate", headers=bearer(tokens["centre"]))
    assert api.status_code == 403 and api.get_json()["error"] == "forbidden_region"


def test_an_admin_fills_in_and_sees_every_region(
    client: FlaskClient, tokens: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    csrf = connect(client, tokens["admin"])
    form = "/declarations/2007/PAIO-24-001/saisie"
    assert client.post(form, data={**GOOD, "csrf": csrf}).status_code == 303
    country = page_text(client, "/declarations?year=2007")
    assert '<span class="scope">— France entière</span>' in country
    assert "sur <strong>3</strong> structures actives" in country
    assert '<th scope="col">Région</th>' in country
    centre = page_text(client, "/declarations?year=2007&region=24")
    assert "PAIO-24-001" in centre and "ML-11-001" not in centre
    assert page_text(client, "/declarations?region=99", 404)


def test_a_structure_sees_its_years(client: FlaskClient, tokens: dict[str, str]) -> None:
    connect(client, tokens["paris"])
    home = page_text(client, "/declarations")
    assert 'Déclarations annuelles <span class="scope">— Mission locale de Paris</span>' in home
    assert "Campagne " in home and "Saisir la déclaration" in home
    response = client.get("/declarations?year=2007")
    assert response.status_code == 302 and response.headers["Location"] == PAGE


def test_unknown_or_bad_paths_are_french_pages(client: FlaskClient, tokens: dict[str, str]) -> None:
    connect(client, tokens["admin"])
    assert "Cette structure n'est pas dans le répertoire." in page_text(
        client, "/declarations/2007/ML-99-999", 404
    )
    assert "L'année doit être comprise entre" in page_text(
        client, "/declarations/abc/ML-11-001", 400
    )
    assert "Cette page n'existe pas." in page_text(client, "/declarations/2007/ML-11-001/nope", 404)


FORMS = [
    ("/connexion", {"token": "x"}, None),
    ("/admin/login", {"token": "x"}, None),
    ("/connexion/deconnexion", {}, "paris"),
    ("/admin/logout", {}, "admin"),
    ("/admin/consolidations", {"year": "2007"}, "admin"),
    ("/admin/declarations/2007/ML-11-001/validate", {}, "admin"),
    (FORM, GOOD, "paris"),
    (f"{PAGE}/validation", {}, "idf"),
    (f"{PAGE}/rejet", {"reason": "non"}, "idf"),
]


@pytest.mark.parametrize(("url", "data", "who"), FORMS)
@pytest.mark.parametrize("csrf", [None, "forged"])
def test_every_form_needs_its_sessions_csrf_token(
    client: FlaskClient,
    tokens: dict[str, str],
    sessions: sessionmaker[Session],
    url: str,
    data: dict[str, str],
    who: str | None,
    csrf: str | None,
) -> None:
    with sessions.begin() as session:
        submit(session, ADMIN, 2007, "ML-11-001", declaration_fields())
    if who is not None:
        connect(client, tokens[who])
    else:
        client.get("/connexion")  # a session with its CSRF token, not sent below
    sent = dict(data) if csrf is None else {**data, "csrf": csrf}
    response = client.post(url, data=sent)
    assert response.status_code == 400, url
    assert "Ce formulaire a expiré ou ne vient pas de ce site" in page_text_of(response)
    assert status_of(sessions) == "submitted"


@pytest.mark.parametrize(
    "url", [FORM, f"{PAGE}/validation", f"{PAGE}/rejet", "/admin/consolidations"]
)
def test_a_form_posted_without_a_session_is_the_401_page(client: FlaskClient, url: str) -> None:
    response = client.post(url, data=GOOD)
    assert response.status_code == 401
    assert 'name="token"' in response.get_data(as_text=True)


def test_the_list_of_errors_names_each_field_and_links_to_it(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    csrf = connect(client, tokens["paris"])
    wrong = {**GOOD, "professionals": "abc", "funder_esf": ""}
    text = page_text_of(client.post(FORM, data={**wrong, "csrf": csrf}))
    summary = text.split('id="form-errors"', 1)[1].split("</div>", 1)[0]
    items = re.findall(
        r'<li><a href="#([^"]+)"><strong>([^<]+)</strong> : ([^<]+)</a></li>', summary
    )
    assert items == [
        (
            "professionals",
            "Professionnels",
            "Indiquez un nombre en chiffres, par exemple 1 250 000.",
        ),
        (
            "funder_esf",
            "Financeurs — Fonds social européen (FSE)",
            "Indiquez une valeur (0 s'il n'y en a pas).",
        ),
    ]
    assert "Le formulaire contient 2 erreurs : les voici, aussi sous leurs champs." in summary, (
        summary[:600]
    )
    # Every link leads to its field.
    for target, _, _ in items:
        assert f'id="{target}"' in text
    # The funders' sum is the group's error, named after it.
    text = page_text_of(client.post(FORM, data={**GOOD, "funder_other": "0", "csrf": csrf}))
    summary = text.split('id="form-errors"', 1)[1].split("</div>", 1)[0]
    assert (
        '<li><a href="#funders-group"><strong>Financeurs</strong> : La somme des financeurs'
        in summary
    )
    assert "Le formulaire contient une erreur : la voici, aussi sous son champ." in summary


def test_a_new_submission_shows_its_own_errors_only(
    client: FlaskClient, tokens: dict[str, str]
) -> None:
    csrf = connect(client, tokens["paris"])
    first = page_text_of(client.post(FORM, data={**GOOD, "professionals": "x", "csrf": csrf}))
    assert 'id="professionals-error"' in first
    second = page_text_of(client.post(FORM, data={**GOOD, "funding_main": "-1", "csrf": csrf}))
    assert 'id="professionals-error"' not in second and 'value="23"' in second
    assert 'id="funding_main-error"' in second
