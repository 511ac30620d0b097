"""The frozen report's ``profiles`` (SPEC §5): the nation's profile rows as the live counters
hold them at consolidation, and, for a reader without a token while confidentiality is on,
protected on their own and withheld wherever the live edition withholds them."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from services.web.formatting import format_number, format_percent
from shared.profiles import DIMENSIONS
from shared.publication.confidentiality import DISTINCT
from shared.report.profiles import WITHHELD_NOTE
from tests.support.events import apply_all, event, record
from tests.support.web import bearer, consolidate_now, page_text


def first(event_id: str, youth: str, profile: dict[str, Any], **fields: Any) -> dict[str, Any]:
    found = event(event_id, "first_reception", youth=youth, **fields)
    found["youth"] = profile
    return found


EVENTS = [
    first("fa", "A", {"sex": "F", "birth_year": 1990, "education_level": "Vbis"}),
    event("ia", youth="A"),
    first("fb", "B", {"sex": "M", "birth_year": 1985}, structure="PAIO-24-001"),
    # B's earlier profile, from 2006, wins: a woman without birth year nor level.
    first("fb0", "B", {"sex": "F"}, on="2006-02-02"),
    first("fc", "C", {}, structure="ML-11-002"),
]


def test_the_report_holds_the_nations_profile_rows(
    client: FlaskClient, admin_token: str, sessions: sessionmaker[Session], database_url: str
) -> None:
    with sessions.begin() as session:
        record(session, EVENTS)
    apply_all(sessions)
    assert consolidate_now(client, admin_token, database_url) == 1
    profiles = client.get("/v1/reports/2007").get_json()["profiles"]
    live = {
        by: {
            row["key"]: row["figures"]
            for row in client.get(f"/v1/figures/breakdown?year=2007&by={by}").get_json()["rows"]
        }
        for by in ("sex", "age", "education_level")
    }
    assert profiles == live
    assert profiles["sex"]["F"]["youths_first_reception"] == 2
    assert profiles["age"]["16_17"]["youths_interviewed"] == 1
    assert profiles["age"]["unknown"]["youths_first_reception"] == 2
    assert profiles["education_level"]["Vbis"]["interviews"] == 1


def test_withheld_from_readers_without_a_token_when_confidentiality_is_on(
    client: FlaskClient, admin_token: str, sessions: sessionmaker[Session], database_url: str
) -> None:
    with sessions.begin() as session:
        record(session, EVENTS)
    apply_all(sessions)
    consolidate_now(client, admin_token, database_url)
    exact = client.get("/v1/reports/2007")
    app = client.application
    app.config["SETTINGS"] = dataclasses.replace(app.config["SETTINGS"], public_min_count=5)
    public = client.get("/v1/reports/2007")
    assert "X-Report-SHA256" not in public.headers  # not the frozen bytes
    assert "Authorization" in public.headers["Vary"]
    body = public.get_json()
    assert body["figures"] == exact.get_json()["figures"]
    truth = exact.get_json()["profiles"]
    for by, rows in body["profiles"].items():
        for key, values in rows.items():
            for figure, value in values.items():
                assert value is None or value == truth[by][key][figure]
                if figure in DISTINCT and 0 < truth[by][key][figure] < 5:
                    assert value is None, (by, key, figure)
    # What the live edition withholds of the year's national cells, the report withholds too.
    for by in DIMENSIONS:
        edition = client.get(f"/v1/figures/breakdown?year=2007&by={by}").get_json()["rows"]
        for row in edition:
            assert all(body["profiles"][by][row["key"]][k] is None for k in row["suppressed"])
    assert body["profiles"]["sex"]["M"]["youths_first_reception"] == 0  # a true zero, published
    signed = client.get("/v1/reports/2007", headers=bearer(admin_token))
    assert signed.get_data() == exact.get_data()
    assert signed.headers["X-Report-SHA256"] == hashlib.sha256(exact.get_data()).hexdigest()
    answer = client.get("/v1/reports/2007.csv").get_data().decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(answer), delimiter=";"))
    rows = {row[6]: row for row in lines if len(row) > 1}
    assert rows["youths_first_reception.sex.F"][4] == "s"
    # After the table, as the dashboard's export: what the mark means, and why it is there.
    assert lines[-1] == [WITHHELD_NOTE]
    assert WITHHELD_NOTE.startswith("« s » : secret statistique — valeur non publiée")
    signed_csv = client.get("/v1/reports/2007.csv", headers=bearer(admin_token))
    signed_text = signed_csv.get_data().decode("utf-8-sig")
    signed_lines = list(csv.reader(io.StringIO(signed_text), delimiter=";"))
    assert all(len(line) > 1 for line in signed_lines)  # exact: no mark, no note
    assert {row[6]: row for row in signed_lines}["youths_first_reception.sex.F"][4] == "2"


def profile_table(html: str, dimension: str) -> dict[str, list[str]]:
    """The report page's table of a dimension: each row's key ("" for the total), its cells."""
    table = html.split(f'id="profil-{dimension}"', 1)[1].split("</table>", 1)[0]
    found = {}
    for match in re.finditer(r'<tr(?: data-key="([^"]*)")?><th scope="row">(.*?)</tr>', table):
        cells = re.findall(r'<td class="num">(.*?)</td>', match.group(2))
        found[match.group(1) or ""] = [re.sub(r"<[^>]+>", "", cell) for cell in cells]
    return found


def test_the_report_page_shows_the_first_receptions_profile(
    client: FlaskClient, admin_token: str, sessions: sessionmaker[Session], database_url: str
) -> None:
    with sessions.begin() as session:
        record(session, EVENTS)
    apply_all(sessions)
    consolidate_now(client, admin_token, database_url)
    profiles = client.get("/v1/reports/2007").get_json()["profiles"]
    html = page_text(client, "/rapports/2007")
    assert "Profil des jeunes en premier accueil</h2>" in html
    for by, keys in DIMENSIONS.items():
        cells = profile_table(html, by)
        assert list(cells) == [*keys, ""]
        counts = {key: profiles[by][key]["youths_first_reception"] for key in keys}
        total = sum(counts.values())
        for key in keys:
            share = format_percent(counts[key] / total, 1)
            assert cells[key] == [share, format_number(counts[key])], (by, key)
        assert cells[""] == ["100,0\u202f%", format_number(total)]
    # A (F, born 1990, level V bis), B (F, its 2006 profile) and C (an empty profile).
    assert profile_table(html, "sex")["F"] == ["66,7\u202f%", "2"]
    assert profile_table(html, "education_level")["Vbis"] == ["33,3\u202f%", "1"]
    assert "secret statistique" not in html.split('id="profil"', 1)[1].split("</section>")[0]

    # Confidentiality on: a visitor reads the mark on the small counts and their shares, the
    # zeros and the total (the national figure, always published) as they are.
    app = client.application
    app.config["SETTINGS"] = dataclasses.replace(app.config["SETTINGS"], public_min_count=5)
    shown = client.get("/v1/reports/2007").get_json()["profiles"]
    html = page_text(client, "/rapports/2007")
    block = html.split('id="profil"', 1)[1].split("</section>", 1)[0]
    for by, keys in DIMENSIONS.items():
        cells = profile_table(html, by)
        for key in keys:
            count = shown[by][key]["youths_first_reception"]
            if count is None:
                assert cells[key] == ["s", "s"], (by, key)
            else:
                assert cells[key] == [format_percent(count / 3, 1), format_number(count)]
        assert cells[""] == ["100,0\u202f%", "3"]
    assert profile_table(html, "sex")["F"] == ["s", "s"]  # two women: fewer than 5
    assert '<abbr title="Secret statistique : valeur non publiée">s</abbr> : secret' in block


def test_a_report_with_no_first_reception_reads_nd(
    client: FlaskClient, admin_token: str, sessions: sessionmaker[Session], database_url: str
) -> None:
    with sessions.begin() as session:
        record(session, [event("only", youth="Z")])
    apply_all(sessions)
    consolidate_now(client, admin_token, database_url)
    html = page_text(client, "/rapports/2007")
    assert profile_table(html, "sex")["F"] == ["n.d.", "0"]  # a share of nothing
    assert profile_table(html, "sex")[""] == ["n.d.", "0"]
    assert "n.d.</abbr> : non disponible (part d'un total nul)" in html
