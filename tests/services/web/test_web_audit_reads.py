"""The audit of reads and admin actions through the web (services/web/audit_reads.py): a
signed-in reader's exact figures and export, a token's /v1/figures and declarations, each
once per hour however often polled; a public read leaves nothing; the admin's actions by the
API and the pages are in the log, shown on /admin/donnees-personnelles."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from shared.storage.models.audit import AccessRead, AdminAction
from tests.support.web import connect, sign_in


def reads(sessions: sessionmaker[Session]) -> list[tuple[Any, ...]]:
    with sessions() as session:
        return sorted(
            (r.via, r.role, r.what, r.scope, r.year) for r in session.scalars(select(AccessRead))
        )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_reads_of_exact_figures_once_per_hour(
    client: FlaskClient, sessions: sessionmaker[Session], tokens: dict[str, str]
) -> None:
    assert client.get("/v1/figures?year=2007").status_code == 200
    assert client.get("/chiffres-exacts").status_code == 401
    assert reads(sessions) == []  # public reads and refusals are not audited

    for _ in range(3):
        response = client.get("/v1/figures?year=2007&region=11", headers=bearer(tokens["idf"]))
        assert response.status_code == 200
        response.close()
    client.get("/v1/figures/breakdown?year=2007&by=month", headers=bearer(tokens["idf"])).close()
    connect(client, tokens["paris"])
    for path in ("/chiffres-exacts?year=2007", "/chiffres-exacts/donnees.json?year=2007"):
        response = client.get(path)
        assert response.status_code == 200
        response.close()
    client.get("/chiffres-exacts/export.csv?year=2007&structure=ML-11-001").close()
    assert reads(sessions) == [
        ("sign-in", "structure", "exact", "national", 2007),
        ("sign-in", "structure", "export", "structure:ML-11-001", 2007),
        ("token", "validator", "exact", "national", 2007),
        ("token", "validator", "exact", "region:11", 2007),
    ]


def test_declarations_read_with_a_token(
    client: FlaskClient, sessions: sessionmaker[Session], tokens: dict[str, str]
) -> None:
    declaration = {
        "professionals": 12,
        "funding": {"main": 100, "specific": 20, "managed_funds": 5},
        "funders": {"state": 60, "region": 60, "department": 0, "municipalities": 0, "esf": 0,
                    "other": 0},
    }  # fmt: skip
    path = "/v1/declarations/2007/ML-11-001"
    assert client.put(path, json=declaration, headers=bearer(tokens["paris"])).status_code == 201
    assert reads(sessions) == []  # writing is not reading
    client.get("/v1/declarations/2007", headers=bearer(tokens["idf"])).close()
    client.get(path, headers=bearer(tokens["paris"])).close()
    client.get("/v1/declarations/2007/ML-11-002", headers=bearer(tokens["paris"])).close()  # 403
    assert reads(sessions) == [
        ("token", "structure", "declarations", "structure:ML-11-001", 2007),
        ("token", "validator", "declarations", "region:11", 2007),
    ]


def test_admin_actions_in_the_log_and_on_the_page(
    client: FlaskClient, sessions: sessionmaker[Session], tokens: dict[str, str]
) -> None:
    admin = bearer(tokens["admin"])
    window = {"opens_on": "2008-04-01", "closes_on": "2008-06-30"}
    assert client.put("/v1/campaigns/2007", json=window, headers=admin).status_code in (200, 201)
    assert client.post("/v1/consolidations", json={"year": 2007}, headers=admin).status_code == 202
    structure = {"name": "Mission locale de Melun", "kind": "mission_locale", "region": "11"}
    assert client.put("/v1/structures/ML-11-009", json=structure, headers=admin).status_code == 201
    # Refused: nothing recorded.
    assert (
        client.put("/v1/campaigns/2007", json=window, headers=bearer(tokens["idf"])).status_code
        == 403
    )
    with sessions() as session:
        found = [
            (a.role, a.action, a.target)
            for a in session.scalars(select(AdminAction).order_by(AdminAction.id))
        ]
    assert found == [
        ("admin", "campaign.window", "2007"),
        ("admin", "consolidation.asked", "2007"),
        ("admin", "structure.saved", "ML-11-009"),
    ]
    sign_in(client, tokens["admin"])
    page = client.get("/admin/donnees-personnelles").get_data(as_text=True)
    assert page.count('data-action="') == 3 and "fenêtre de campagne" in page
    assert "consolidation demandée" in page and "structure enregistrée" in page
