"""Failed authentications limited per client address, on the web API and the /admin
sign-in: 429 with Retry-After past the limit; a valid token is never held back; counted
in the process (and said by /readyz) while the shared store is unreachable."""

from __future__ import annotations

import html
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from shared.access.tokens import create_token
from shared.config import load_settings
from tests.support.web import bearer, csrf_of, make_app

LIMIT = 3


def limited_app(database_url: str, storage: str = "memory://") -> Flask:
    settings = replace(
        load_settings(),
        database_url=database_url,
        broker_url="memory://",
        auth_failure_limit=f"{LIMIT}/minute",
        rate_limit_storage=storage,
    )
    return make_app(database_url, SETTINGS=settings)


def consolidate(client: Any, token: str, address: str = "10.0.0.1") -> Any:
    return client.post(
        "/v1/consolidations",
        json={"year": 2007},
        headers=bearer(token),
        environ_base={"REMOTE_ADDR": address},
    )


def test_the_api_answers_429_past_the_limit(
    database_url: str, registry: Any, admin_token: str
) -> None:
    client = limited_app(database_url).test_client()
    for _ in range(LIMIT):
        assert consolidate(client, "bilan_guess").status_code == 401
    refused = consolidate(client, "bilan_guess")
    assert refused.status_code == 429
    assert refused.get_json()["error"] == "too_many_requests"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # No token at all is a failure too.
    assert (
        client.get("/v1/declarations/2007", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code
        == 429
    )
    # Another address is not held back, and neither is a valid token from the same one.
    assert consolidate(client, "bilan_guess", "10.0.0.2").status_code == 401
    assert consolidate(client, admin_token).status_code == 202
    assert consolidate(client, admin_token).status_code == 202


@pytest.mark.parametrize(
    ("form", "target"), [("/admin", "/admin/login"), ("/connexion", "/connexion")]
)
def test_the_sign_in_answers_429_past_the_limit(
    database_url: str, registry: Any, admin_token: str, form: str, target: str
) -> None:
    client = limited_app(database_url).test_client()
    csrf = csrf_of(client.get(form).get_data(as_text=True))
    for _ in range(LIMIT):
        response = client.post(target, data={"token": "bilan_guess", "csrf": csrf})
        assert response.status_code == 401
        assert "Ce jeton n'est pas valide" in html.unescape(response.get_data(as_text=True))
    refused = client.post(target, data={"token": "bilan_guess", "csrf": csrf})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert "Trop de tentatives" in refused.get_data(as_text=True)
    signed_in = client.post(target, data={"token": admin_token, "csrf": csrf})
    assert signed_in.status_code == 302


@pytest.mark.redis
def test_replicas_share_the_count_in_redis(
    database_url: str, registry: Any, redis_url: str, sessions: sessionmaker[Session]
) -> None:
    first = limited_app(database_url, redis_url).test_client()
    second = limited_app(database_url, redis_url).test_client()
    for client in (first, second, first):
        assert consolidate(client, "bilan_guess").status_code == 401
    assert consolidate(second, "bilan_guess").status_code == 429
    with sessions.begin() as session:
        token = create_token(session, "admin")
    assert consolidate(second, token).status_code == 202


def test_an_unreachable_store_counts_in_the_process_and_readyz_says_so(
    database_url: str, registry: Any, sessions: sessionmaker[Session]
) -> None:
    client = limited_app(database_url, "redis://127.0.0.1:1/0").test_client()
    statuses = [consolidate(client, "bilan_guess").status_code for _ in range(LIMIT + 1)]
    assert statuses == [401] * LIMIT + [429]
    with sessions.begin() as session:
        token = create_token(session, "admin")
    assert consolidate(client, token).status_code == 202  # a valid token is never held back
    ready = client.get("/readyz")
    assert ready.status_code == 200  # ready all the same: database and broker answer
    body = ready.get_json()
    assert body["checks"] == {"database": True, "broker": True}
    assert "per process" in body["degraded"]["auth_failure_limit"]


def test_readyz_names_nothing_degraded_when_all_is_well(database_url: str) -> None:
    ready = limited_app(database_url).test_client().get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json() == {
        "status": "ready", "checks": {"database": True, "broker": True}, "degraded": {},
    }  # fmt: skip
