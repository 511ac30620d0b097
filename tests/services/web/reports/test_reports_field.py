"""What a report's staff and funding figures cover, beside them on every page, print and
CSV ("sur 1 déclaration validée, 33 % des structures actives"); a report frozen before every
active structure had a validated declaration is labelled provisional wherever it is shown;
figures that do not exist read "n.d."."""

from __future__ import annotations

import csv
import html
import io
import re

from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from services.web.reports.field import ReportField, coverage_percent
from shared.access.tokens import Caller
from shared.declarations.workflow import decide, submit
from tests.support.declarations import declaration_fields
from tests.support.events import apply_all, event, record
from tests.support.web import NNBSP, consolidate_now

ADMIN = Caller(1, "admin", frozenset(), None)
ALL = ("ML-11-001", "ML-11-002", "PAIO-24-001")
ONE_OF_THREE = f"sur 1 déclaration validée, 33{NNBSP}% des structures actives"


def validated(sessions: sessionmaker[Session], year: int, *structures: str) -> None:
    with sessions.begin() as session:
        for structure_id in structures:
            submit(session, ADMIN, year, structure_id, declaration_fields())
            decide(session, ADMIN, year, structure_id, "validated")


def page_of(client: FlaskClient, url: str) -> str:
    return html.unescape(client.get(url).get_data(as_text=True))


def one_of_three(sessions: sessionmaker[Session], year: int = 2007) -> None:
    """Events at every structure; only Paris's declaration validated."""
    with sessions.begin() as session:
        record(
            session,
            [
                event(f"a{year}", on=f"{year}-03-01", youth="A"),
                event(f"b{year}", on=f"{year}-03-01", youth="B", structure="ML-11-002"),
                event(f"c{year}", on=f"{year}-03-01", youth="C", structure="PAIO-24-001"),
            ],
        )
    apply_all(sessions)
    validated(sessions, year, "ML-11-001")


def test_coverage_percent_never_rounds_a_part_to_nothing_or_to_all() -> None:
    assert coverage_percent(412, 486) == f"85{NNBSP}%"
    assert coverage_percent(1, 486) == f"0,2{NNBSP}%"
    assert coverage_percent(485, 486) == f"99,8{NNBSP}%"
    assert coverage_percent(0, 486) == f"0{NNBSP}%"
    assert coverage_percent(486, 486) == f"100{NNBSP}%"
    assert coverage_percent(0, 0) == f"0{NNBSP}%"
    assert (
        ReportField(486, 412).sentence
        == f"sur 412 déclarations validées, 85{NNBSP}% des structures actives"
    )
    assert ReportField(486, 0).sentence == "aucune déclaration validée sur 486 structures actives"
    assert ReportField(486, 486).complete and ReportField(486, 485).provisional


def test_a_provisional_report_page_says_so_and_states_the_field_beside_the_figures(
    client: FlaskClient, admin_token: str, sessions: sessionmaker[Session], database_url: str
) -> None:
    one_of_three(sessions)
    consolidate_now(client, admin_token, database_url)
    text = page_of(client, "/rapports/2007")
    assert "<title>Rapport 2007 — version 1 (provisoire) — missions locales</title>" in text
    h1 = text.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert "Chiffres clés 2007" in h1 and "Provisoire" in h1
    alert = text.split('id="provisional">', 1)[1].split("</div>", 1)[0]
    assert (
        f"Rapport provisoire : 1 déclaration validée sur 3 structures actives (33{NNBSP}%)" in alert
    )
    # Beside the staff: the professionals line; beside the funding and the funders: a line.
    staff = re.search(r'<li data-key="professionals">(.*?)</li>', text, re.S).group(1)
    assert f'<span class="item-field">({ONE_OF_THREE})</span>' in staff
    assert text.count(f'<p class="block-field">Champ : {ONE_OF_THREE}.</p>') == 2
    # 1 050 000 € of Paris's declaration / its one youth interviewed (A), not the nation's 3.
    cost = re.search(
        r'<p class="headline" data-key="cost_per_youth">\s*<span class="value big">([^<]*)<', text
    )
    assert cost.group(1) == f"1{NNBSP}050{NNBSP}000{NNBSP}€"
    # The charts of the funding say it too, in their note.
    assert text.count(f"— en proportion du financement total, {ONE_OF_THREE}") == 1
    assert f"activité principale et activités spécifiques, {ONE_OF_THREE}" in text
    completeness = text.split('id="completeness">', 1)[1].split("</p>", 1)[0]
    assert "rapport <strong>provisoire</strong>" in completeness


def test_the_reports_list_and_the_csv_label_a_provisional_report(
    client: FlaskClient, admin_token: str, sessions: sessionmaker[Session], database_url: str
) -> None:
    one_of_three(sessions)
    consolidate_now(client, admin_token, database_url)
    listed = page_of(client, "/rapports")
    row = listed.split('<tr data-year="2007">', 1)[1].split("</tr>", 1)[0]
    cell = row.split('class="completeness">', 1)[1].split("</td>", 1)[0]
    assert (
        "Provisoire" in cell and f"1 déclaration validée, 33{NNBSP}% des structures actives" in cell
    )

    answer = client.get("/v1/reports/2007.csv")
    assert 'filename="bilan-2007-v1-provisoire.csv"' in answer.headers["Content-Disposition"]
    rows = list(
        csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )
    by_code = {row[6]: row for row in rows[1:]}
    field = f"1 déclaration validée, 33{NNBSP}% des structures actives"
    for key in ("professionals", "funding_total", "cost_per_youth", "funder_share_state"):
        assert by_code[key][5] == field, key
    assert by_code["youths_interviewed"][5] == "ensemble du réseau"
    assert by_code["cost_per_youth"][4] == "1050000"
    assert by_code["declarations_validated_share"][4] == "33,3"
    assert by_code["report_status"][4] == "provisoire"


def test_a_complete_report_is_not_provisional(
    client: FlaskClient, admin_token: str, sessions: sessionmaker[Session], database_url: str
) -> None:
    with sessions.begin() as session:
        record(session, [event("a", youth="A"), event("b", youth="B", structure="ML-11-002")])
    apply_all(sessions)
    validated(sessions, 2007, *ALL)
    consolidate_now(client, admin_token, database_url)
    text = page_of(client, "/rapports/2007")
    assert 'id="provisional"' not in text and "Provisoire" not in text
    assert "rapport complet" in text
    assert f"Champ : sur 3 déclarations validées, 100{NNBSP}% des structures actives." in text
    listed = page_of(client, "/rapports")
    assert "Complet</span> 3 déclarations validées" in listed and "Provisoire" not in listed
    answer = client.get("/v1/reports/2007.csv")
    assert 'filename="bilan-2007-v1.csv"' in answer.headers["Content-Disposition"]
    assert ";complet;" in answer.get_data(as_text=True)


def test_without_a_validated_declaration_the_declaration_figures_are_nd(
    client: FlaskClient, admin_token: str, sessions: sessionmaker[Session], database_url: str
) -> None:
    with sessions.begin() as session:
        record(session, [event("a", youth="A")])
    apply_all(sessions)
    consolidate_now(client, admin_token, database_url)
    text = page_of(client, "/rapports/2007")
    for key in ("professionals", "funding_main", "funder_share_esf"):
        item = re.search(rf'<li data-key="{key}"><span class="value">([^<]*)</span>', text)
        assert item.group(1) == "n.d.", key
    cost = re.search(r'data-key="cost_per_youth">\s*<span class="value big">([^<]*)<', text)
    assert cost.group(1) == "n.d."
    assert "Champ : aucune déclaration validée sur 3 structures actives." in text
    # The funding chart's table: n.d., never "0 €" or "0 %".
    funding = text.split('data-key="funding_main"><th scope="row">', 1)[1].split("</tr>", 1)[0]
    assert funding.count("n.d.") == 2


def test_staff_and_funding_changes_need_two_complete_reports(
    client: FlaskClient, admin_token: str, sessions: sessionmaker[Session], database_url: str
) -> None:
    one_of_three(sessions, 2006)
    one_of_three(sessions, 2007)
    consolidate_now(client, admin_token, database_url, 2006)
    consolidate_now(client, admin_token, database_url, 2007)
    text = client.get("/rapports/2007").get_data(as_text=True)
    shown = dict(
        re.findall(r'data-change="(\w+)"><span class="fr-sr-only">[^<]*</span>([^<]*)<', text)
    )
    assert shown["funding_total"] == "n.d." and shown["professionals"] == "n.d."
    assert shown["youths_interviewed"] == f"0 (0,0{NNBSP}%)"  # the activity compares
    validated(sessions, 2006, "ML-11-002", "PAIO-24-001")
    validated(sessions, 2007, "ML-11-002", "PAIO-24-001")
    consolidate_now(client, admin_token, database_url, 2006)
    consolidate_now(client, admin_token, database_url, 2007)
    text = client.get("/rapports/2007").get_data(as_text=True)
    shown = dict(
        re.findall(r'data-change="(\w+)"><span class="fr-sr-only">[^<]*</span>([^<]*)<', text)
    )
    assert shown["funding_total"] == f"0{NNBSP}€ (0,0{NNBSP}%)"


def test_the_admin_history_labels_a_provisional_version(
    client: FlaskClient, admin_token: str, sessions: sessionmaker[Session], database_url: str
) -> None:
    from tests.support.web import sign_in

    one_of_three(sessions)
    consolidate_now(client, admin_token, database_url)
    sign_in(client, admin_token)
    text = page_of(client, "/admin?year=2007")
    version = text.split('class="job-version">', 1)[1].split("</td>", 1)[0]
    assert "version 1</a>" in version
    assert f"provisoire (1 déclaration validée, 33{NNBSP}% des structures actives)" in version
