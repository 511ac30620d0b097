"""Numbers and ids in paths and queries: ASCII digits within bounds, ids of their pattern;
anything else a 400 or a 404, never a 500 — on SQLite and on PostgreSQL, whose
``integer`` stops at 2 147 483 647."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from services.web.parameters import integer_or_none
from shared.access.tokens import create_token
from tests.support.declarations import DECLARATION
from tests.support.events import apply_all, event, record
from tests.support.web import bearer, make_app, sign_in

HUGE = "99999999999"  # past PostgreSQL's integer
ARABIC_2007 = "\u0662\u0660\u0660\u0667"  # ٢٠٠٧: digits to Python's int(), not to the API
LONG = "9" * 5000  # int() of it raises ValueError

# (method, url, status, error code): every integer parameter and path segment of the API.
REFUSED = [
    ("GET", f"/v1/figures?year={HUGE}", 400, "invalid_parameter"),
    ("GET", f"/v1/figures?year={ARABIC_2007}", 400, "invalid_parameter"),
    ("GET", f"/v1/figures?year={LONG}", 400, "invalid_parameter"),
    ("GET", "/v1/figures?year=", 400, "invalid_parameter"),
    ("GET", "/v1/figures?region=", 400, "invalid_parameter"),
    ("GET", "/v1/figures?structure=", 400, "invalid_parameter"),
    ("GET", "/v1/figures?structure=%00", 404, "unknown_structure"),
    ("GET", f"/v1/figures?structure={'A' * 33}", 404, "unknown_structure"),
    ("GET", "/v1/figures/breakdown?by=region&year=", 400, "invalid_parameter"),
    ("GET", "/v1/figures/breakdown?by=region&region=", 400, "invalid_parameter"),
    ("GET", "/v1/figures/breakdown?by=", 400, "invalid_parameter"),
    ("GET", "/v1/structures?region=", 400, "invalid_parameter"),
    ("GET", f"/v1/reports/{HUGE}", 400, "invalid_parameter"),
    ("GET", f"/v1/reports/{ARABIC_2007}", 400, "invalid_parameter"),
    ("GET", f"/v1/reports/{HUGE}.csv", 400, "invalid_parameter"),
    ("GET", f"/v1/reports/2007?version={HUGE}", 400, "invalid_parameter"),
    ("GET", "/v1/reports/2007?version=\u0661", 400, "invalid_parameter"),
    ("GET", "/v1/reports/2007?version=0", 400, "invalid_parameter"),
    ("GET", "/v1/reports/2007?version=", 400, "invalid_parameter"),
    ("GET", f"/v1/reports/2007.csv?version={HUGE}", 400, "invalid_parameter"),
    ("GET", f"/v1/consolidations/{HUGE}", 404, "not_found"),
    ("GET", "/v1/consolidations/\u0661", 404, "not_found"),
    ("GET", f"/v1/consolidations/{LONG}", 404, "not_found"),
    ("GET", "/v1/consolidations/0", 404, "not_found"),
    ("GET", f"/v1/consolidations?year={HUGE}", 400, "invalid_parameter"),
    ("GET", "/v1/consolidations?year=", 400, "invalid_parameter"),
    ("GET", f"/v1/declarations/{HUGE}", 400, "invalid_parameter"),
    ("GET", f"/v1/declarations/{HUGE}/ML-11-001", 400, "invalid_parameter"),
    ("GET", "/v1/declarations/2007/%00", 404, "not_found"),
    ("GET", "/v1/declarations/2007?region=", 400, "invalid_parameter"),
    ("GET", "/v1/declarations/2007?status=", 400, "invalid_parameter"),
    ("POST", f"/v1/declarations/{HUGE}/ML-11-001/validate", 400, "invalid_parameter"),
    ("POST", "/v1/declarations/2007/%00/validate", 404, "not_found"),
    ("PUT", f"/v1/declarations/{HUGE}/ML-11-001", 400, "invalid_parameter"),
    ("PUT", "/v1/declarations/2007/%00", 422, "unknown_structure"),
]


def _refused(client: FlaskClient, token: str, method: str, url: str) -> Any:
    body = DECLARATION if method == "PUT" else None
    return client.open(url, method=method, json=body, headers=bearer(token))


@pytest.mark.parametrize(("method", "url", "status", "code"), REFUSED)
def test_bad_numbers_and_ids_are_refused_precisely(
    client: FlaskClient, admin_token: str, method: str, url: str, status: int, code: str
) -> None:
    response = _refused(client, admin_token, method, url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.get_json()["error"] == code


@pytest.mark.parametrize(
    "url",
    [f"/rapports/{HUGE}", f"/rapports/{ARABIC_2007}", "/rapports/2007?version=99999999999"],
)
def test_the_report_page_refuses_bad_numbers_in_french(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 400
    assert "n'est pas valide" in html.unescape(response.get_data(as_text=True))


def test_the_admin_page_refuses_bad_numbers(client: FlaskClient, admin_token: str) -> None:
    sign_in(client, admin_token)
    assert client.get(f"/admin?year={HUGE}").status_code == 400
    assert client.get(f"/admin?job={HUGE}").status_code == 404
    assert client.get("/admin?year=2007").status_code == 200


def test_the_integer_parser_takes_ascii_digits_within_bounds_only() -> None:
    assert integer_or_none("2007", 1982, 2030) == 2007
    for text in ("", " 2007", "2007 ", "+2007", "-1", "2007.0", "1e3", ARABIC_2007, "²", LONG):
        assert integer_or_none(text, 0, 10**12) is None, text
    assert integer_or_none("1981", 1982, 2030) is None


@pytest.mark.postgres
def test_out_of_range_numbers_on_postgresql(
    postgres_url: str, sessions: sessionmaker[Session]
) -> None:
    """On PostgreSQL, each of these reached the database and failed there (a 500)."""
    client = make_app(postgres_url).test_client()
    from shared.storage.db import engine_for, session_factory

    with session_factory(engine_for(postgres_url)).begin() as session:
        token = create_token(session, "admin")
    for method, url, status, code in REFUSED:
        response = _refused(client, token, method, url)
        assert (response.status_code, response.get_json()["error"]) == (status, code), url
    assert client.get(f"/rapports/{HUGE}").status_code == 400


def test_the_year_lists_offer_the_years_with_data_and_the_current_one(
    client: FlaskClient, admin_token: str, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        record(session, [event("a", on="2005-06-01"), event("b", on="2007-03-01")])
    apply_all(sessions)
    current = str(dt.date.today().year)

    def years(page: str, select: str) -> list[str]:
        options = page.partition(f'id="{select}"')[2].partition("</select>")[0]
        return re.findall(r'<option value="(\d{4})"', options)

    dashboard = client.get("/?year=2007").get_data(as_text=True)
    assert years(dashboard, "filter-year") == [current, "2007", "2005"]
    sign_in(client, admin_token)
    admin = client.get("/admin?year=2006").get_data(as_text=True)
    # The year shown is offered too, though it has no data.
    assert years(admin, "admin-year") == [current, "2007", "2006", "2005"]
