"""POST/GET /v1/consolidations, the reports (JSON, CSV, page) and the /admin page."""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from shared.access.tokens import Caller, create_token
from shared.consolidation.jobs import run_job
from shared.declarations.workflow import submit
from shared.profiles import DIMENSIONS
from shared.report.keys import REPORT_KEYS
from shared.storage.db import engine_for
from tests.support.declarations import DECLARATION as BODY
from tests.support.declarations import declaration_fields
from tests.support.events import apply_all, event, record
from tests.support.web import bearer, consolidate_now, csrf_of, sign_in


def start(client: FlaskClient, token: str, year: int = 2007) -> Any:
    return client.post("/v1/consolidations", json={"year": year}, headers=bearer(token))


def test_post_needs_an_admin(client: FlaskClient, sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        source = create_token(session, "source")
        validator = create_token(session, "validator", region="11")
    assert client.post("/v1/consolidations", json={"year": 2007}).status_code == 401
    assert start(client, source).status_code == 403
    assert start(client, validator).status_code == 403


def test_bad_bodies(client: FlaskClient, admin_token: str) -> None:
    assert start(client, admin_token, 1900).status_code == 422
    response = client.post(
        "/v1/consolidations",
        data=b"{",
        headers=bearer(admin_token),
        content_type="application/json",
    )
    assert response.status_code == 400
    response = client.post(
        "/v1/consolidations", data=b'{"year": 2007}', headers=bearer(admin_token)
    )
    assert (response.status_code, response.get_json()["error"]) == (415, "unsupported_media_type")
    response = client.post("/v1/consolidations", json={"year": "x"}, headers=bearer(admin_token))
    assert response.status_code == 422


def test_one_job_per_year_then_done(
    client: FlaskClient, admin_token: str, sessions: sessionmaker[Session], database_url: str
) -> None:
    with sessions.begin() as session:
        record(session, [event("a", youth="A"), event("b", youth="B", structure="PAIO-24-001")])
    apply_all(sessions)
    first = start(client, admin_token)
    assert first.status_code == 202
    body = first.get_json()
    assert body == {"id": body["id"], "year": 2007, "status": "queued"}
    assert start(client, admin_token).get_json()["id"] == body["id"]
    job = client.get(f"/v1/consolidations/{body['id']}").get_json()
    assert job == {**body, "progress": 0.0, "version": None, "error": None}
    assert client.get("/v1/reports/2007").status_code == 404
    # The worker's part.
    assert run_job(engine_for(database_url), body["id"]) == 1
    job = client.get(f"/v1/consolidations/{body['id']}").get_json()
    assert job == {**body, "status": "succeeded", "progress": 1.0, "version": 1, "error": None}
    # Done: the next request starts a new job.
    assert start(client, admin_token).get_json()["id"] != body["id"]
    history = client.get("/v1/consolidations").get_json()["consolidations"]
    assert [j["status"] for j in history] == ["queued", "succeeded"]
    assert client.get("/v1/consolidations/999").status_code == 404


def test_report_json_csv_and_versions(
    client: FlaskClient, admin_token: str, sessions: sessionmaker[Session], database_url: str
) -> None:
    with sessions.begin() as session:
        record(
            session, [event("a", youth="A"), event("b", "outcome", youth="A", outcome="training")]
        )
    apply_all(sessions)
    assert consolidate_now(client, admin_token, database_url) == 1
    response = client.get("/v1/reports/2007")
    assert response.status_code == 200
    first = response.get_data()
    assert response.headers["X-Report-SHA256"] == hashlib.sha256(first).hexdigest()
    report = response.get_json()
    assert list(report) == [
        "year",
        "version",
        "consolidated_at",
        "figures",
        "reconciliation",
        "completeness",
        "previous_version_diff",
        "profiles",
    ]
    assert list(report["figures"]) == list(REPORT_KEYS)
    # The nation's profile rows (SPEC §4.2): every category, every figure; no youth here
    # carries a profile, so every youth is of unknown sex.
    assert {d: list(rows) for d, rows in report["profiles"].items()} == {
        d: list(keys) for d, keys in DIMENSIONS.items()
    }
    assert report["profiles"]["sex"]["unknown"]["youths_interviewed"] == 1
    assert report["profiles"]["sex"]["F"] == {**report["profiles"]["sex"]["F"], "interviews": 0}
    assert report["figures"]["youths_with_access"] == 1
    assert set(report["reconciliation"]) == {"live", "recomputed", "differences"}
    with sessions.begin() as session:
        record(session, [event("c", youth="C")])
    apply_all(sessions)
    assert consolidate_now(client, admin_token, database_url) == 2
    latest = client.get("/v1/reports/2007").get_json()
    assert latest["version"] == 2
    assert latest["previous_version_diff"]["youths_interviewed"] == {"previous": 1, "current": 2}
    assert client.get("/v1/reports/2007?version=1").get_data() == first
    assert client.get("/v1/reports/2007?version=3").status_code == 404
    assert client.get("/v1/reports/2007?version=x").status_code == 400
    assert client.get("/v1/reports/2006").status_code == 404

    answer = client.get("/v1/reports/2007.csv?version=1")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    # No validated declaration: a provisional report, and its file says so.
    assert (
        answer.headers["Content-Disposition"]
        == 'attachment; filename="bilan-2007-v1-provisoire.csv"'
    )
    # For French spreadsheets, as the dashboard's export: BOM, ";", decimal comma, French.
    body = answer.get_data()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Année", "Version", "Rubrique", "Chiffre", "Valeur", "Champ", "Code"]
    by_code = {row[6]: row for row in rows[1:]}
    assert set(REPORT_KEYS) <= set(by_code)
    assert by_code["youths_interviewed"] == [
        "2007",
        "1",
        "Les jeunes",
        "Jeunes reçus en entretien individuel",
        "1",
        "ensemble du réseau",
        "youths_interviewed",
    ]
    assert by_code["access_rate"][3:5] == ["Taux d'accès à l'emploi ou à la formation (%)", "100,0"]
    assert by_code["funding_total"][3:6] == [
        "Financement total (€)",
        "n.d.",
        "aucune déclaration validée sur 3 structures actives",
    ]
    assert by_code["cost_per_youth"][4] == "n.d."
    assert by_code["declarations_validated"][2:5] == [
        "Complétude des déclarations",
        "Déclarations annuelles validées",
        "0",
    ]
    assert by_code["report_status"][4] == "provisoire"
    assert by_code["youths_interviewed.sex.unknown"][2:5] == [
        "Profil des jeunes en premier accueil",
        "Jeunes reçus en entretien individuel — Sexe : Non renseigné",
        "1",
    ]
    frozen = by_code["consolidated_at"]
    assert frozen[3] == "Figée le (heure de Paris)"
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d", frozen[4])


def test_report_page(
    client: FlaskClient, admin_token: str, sessions: sessionmaker[Session], database_url: str
) -> None:
    assert client.get("/rapports/2007").status_code == 404
    with sessions.begin() as session:
        record(session, [event("a", youth="A")])
        admin = Caller(1, "admin", frozenset(), None)
        submit(session, admin, 2007, "ML-11-001", declaration_fields())
    apply_all(sessions)
    consolidate_now(client, admin_token, database_url)
    with sessions.begin() as session:
        record(session, [event("b", youth="B")])
    apply_all(sessions)
    consolidate_now(client, admin_token, database_url)
    page = client.get("/rapports/2007").get_data(as_text=True)
    assert "Chiffres clés 2007" in page
    assert "version 2" in page
    assert "jeunes reçus en entretien individuel" in page
    assert "Les financeurs" in page and "Fonds social européen" in page
    assert "Évolution depuis la version précédente" in page
    # The charts: their values in the HTML (readable without JavaScript), their data for
    # static/rapport.js as JSON, Chart.js drawing them; no hand-drawn SVG.
    assert "<svg" not in page and "<rect" not in page
    assert page.count('<figure class="chart" data-chart=') == 4
    assert "Sorties du CIVIS selon le motif" in page and "Part de chaque financeur" in page
    assert re.search(
        r'<tr data-key="youths_with_access">'
        r'<th scope="row">jeunes ont accédé à l&#39;emploi ou à la formation</th>'
        r'<td class="num">\d+</td><td class="num">[\d,]+\u202f%</td></tr>',
        page,
    )
    data = re.search(r'<script type="application/json" id="charts-data">(.*?)</script>', page)
    assert data
    charts = json.loads(data.group(1))
    assert [chart["title"] for chart in charts] == [
        "Accès à l'emploi et à la formation des jeunes reçus en entretien",
        "Sorties du CIVIS selon le motif",
        "Répartition du financement",
        "Part de chaque financeur",
    ]
    assert charts[3]["labels"][4] == "FSE"  # the short name on the bar, the full one in the table
    assert all(len(c["labels"]) == len(c["percents"]) == len(c["texts"]) for c in charts)
    assert "/static/rapport.js" in page
    vendored = "chart.js" in client.application.config["VENDOR_PACKAGES"]
    assert ("/vendor/chart.js/chart.umd.min.js" in page) == vendored
    assert "0 déclarations annuelles validées" not in page
    assert re.search(
        r"<strong>0</strong> déclaration annuelle validée sur\s*<strong>3</strong>", page
    )
    older = client.get("/rapports/2007?version=1").get_data(as_text=True)
    assert "Première version du rapport 2007" in older
    css = client.get("/static/yearend.css").get_data(as_text=True)
    assert "size: A4;" in css and 'counter(page) " sur " counter(pages)' in css


def test_admin_page_login_trigger_and_validate(
    client: FlaskClient, admin_token: str, sessions: sessionmaker[Session], database_url: str
) -> None:
    with sessions.begin() as session:
        paris = create_token(session, "structure", ["ML-11-001"])
        source = create_token(session, "source")
    client.put("/v1/declarations/2007/ML-11-001", json=BODY, headers=bearer(paris))
    page = html.unescape(client.get("/admin").get_data(as_text=True))
    assert "Jeton d'administration" in page
    # A wrong or non-admin token is refused; no CSRF token, no login.
    csrf = csrf_of(page)
    assert client.post("/admin/login", data={"token": admin_token}).status_code == 400
    refused = client.post(
        "/admin/login", data={"token": source, "csrf": csrf}, follow_redirects=True
    )
    assert "est pas un jeton d" in refused.get_data(as_text=True)
    response = client.post("/admin/login", data={"token": admin_token, "csrf": csrf})
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert admin_token not in cookie
    page = client.get("/admin?year=2007").get_data(as_text=True)
    assert "Lancer la consolidation" in page
    assert "Mission locale de Paris" in page  # awaiting validation
    csrf = csrf_of(page)
    # Incomplete declarations: first what is missing, and a confirmation.
    asked = client.post("/admin/consolidations", data={"year": "2007", "csrf": csrf})
    assert asked.status_code == 200
    assert "Consolider quand même : rapport provisoire" in asked.get_data(as_text=True)
    assert client.get("/v1/consolidations").get_json()["consolidations"] == []
    response = client.post(
        "/admin/consolidations", data={"year": "2007", "csrf": csrf, "confirm": "1"}
    )
    assert response.status_code == 302
    job_id = int(re.search(r"job=(\d+)", response.headers["Location"]).group(1))
    watched = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"/v1/consolidations/{job_id}" in watched and "<progress" in watched
    run_job(engine_for(database_url), job_id)
    assert "version 1" in client.get("/admin").get_data(as_text=True)
    # Reject needs a reason; validate works.
    client.post(
        "/admin/declarations/2007/ML-11-001/reject", data={"csrf": csrf, "reason": "incomplet"}
    )
    listing = client.get("/v1/declarations/2007", headers=bearer(admin_token)).get_json()
    assert listing["declarations"][0]["status"] == "rejected"
    client.put("/v1/declarations/2007/ML-11-001", json=BODY, headers=bearer(paris))
    client.post("/admin/declarations/2007/ML-11-001/validate", data={"csrf": csrf})
    declaration = client.get(
        "/v1/declarations/2007/ML-11-001", headers=bearer(admin_token)
    ).get_json()
    assert declaration["declaration"]["status"] == "validated"
    assert declaration["history"][-1]["role"] == "admin"
    # Forms without the session's CSRF token do nothing.
    assert client.post("/admin/consolidations", data={"year": "2007"}).status_code == 400
    client.post("/admin/logout", data={"csrf": csrf})
    assert "Jeton d'administration" in html.unescape(client.get("/admin").get_data(as_text=True))
    assert (
        client.post("/admin/consolidations", data={"year": "2007", "csrf": csrf}).status_code == 401
    )


def test_a_failed_job_shows_a_plain_sentence_and_logs_the_detail(
    client: FlaskClient,
    admin_token: str,
    database_url: str,
    monkeypatch: Any,
    caplog: Any,
) -> None:
    from sqlalchemy.exc import ProgrammingError

    from shared.consolidation import jobs

    def broken(*_: Any) -> Any:
        raise ProgrammingError(
            "SELECT youth_id FROM events WHERE secret", {}, Exception('relation "x" missing')
        )

    monkeypatch.setattr(jobs, "take_snapshot", broken)
    job = start(client, admin_token).get_json()
    with pytest.raises(ProgrammingError):
        run_job(engine_for(database_url), job["id"])
    answer = client.get(f"/v1/consolidations/{job['id']}").get_json()
    assert answer["status"] == "failed"
    assert answer["error"] == jobs.FAILURE_MESSAGE
    listed = client.get("/v1/consolidations").get_json()["consolidations"][0]
    assert listed["error"] == jobs.FAILURE_MESSAGE
    assert "SELECT youth_id" in caplog.text


def test_reports_list_every_year_and_version_in_paris_time(
    client: FlaskClient, admin_token: str, sessions: sessionmaker[Session], database_url: str
) -> None:
    assert "Aucun rapport n" in html.unescape(client.get("/rapports").get_data(as_text=True))
    with sessions.begin() as session:
        record(session, [event("a", youth="A")])
    apply_all(sessions)
    consolidate_now(client, admin_token, database_url)
    consolidate_now(client, admin_token, database_url)
    text = html.unescape(client.get("/rapports").get_data(as_text=True))
    assert '<a href="/rapports/2007">Rapport 2007</a>' in text
    assert '<a href="/rapports/2007?version=2">version 2</a>' in text
    assert '<a href="/rapports/2007?version=1">version 1</a>, figée le' in text
    assert "(heure de Paris)" in text and "UTC" not in text
    report = html.unescape(client.get("/rapports/2007?version=1").get_data(as_text=True))
    assert 'href="/rapports">Tous les rapports consolidés</a>' in report
    assert '<a class="fr-breadcrumb__link" href="/rapports">Rapports</a>' in report
    assert "la plus récente est la" in report and "(heure de Paris)" in report
    assert "(UTC)" not in report


def test_the_admin_sees_the_campaign_by_region(
    client: FlaskClient, admin_token: str, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        admin = Caller(1, "admin", frozenset(), None)
        submit(session, admin, 2007, "ML-11-001", declaration_fields())
    sign_in(client, admin_token)
    text = html.unescape(client.get("/admin?year=2007").get_data(as_text=True))
    row = text.split('<tr data-region="11">', 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert cells == ["2", "0", "1", "0", "1", "0\u202f%"]  # active, validated, waiting, …
    assert '<a href="/declarations?year=2007&region=11">Île-de-France</a>' in row
    total = text.split('<tr class="total" data-region="">', 1)[1].split("</tr>", 1)[0]
    assert re.findall(r'<td class="num">([^<]*)</td>', total)[0] == "3"
    assert '<select class="fr-select" id="consolidate-year" name="year">' in text
