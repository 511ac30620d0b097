"""Signing in to /admin: no fixed signing key of the sign-in cookie, sign-ins that end on
the server (logout, revocation, expiry), Secure cookies over HTTPS, a lifetime setting, and
a CSRF check that an empty cookie does not pass."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import replace
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from shared.access.tokens import revoke_token, token_digest
from shared.config import load_settings
from shared.storage.models.access import AppSecret, SignIn, Token
from tests.support.web import csrf_of, make_app, sign_in

SIGNED_IN = "Lancer la consolidation"
LOGIN = "Jeton d'administration"


def admin_page(client: FlaskClient) -> str:
    return html.unescape(client.get("/admin").get_data(as_text=True))


def session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session", path="/admin")
    assert cookie is not None
    return cookie.value


def test_the_old_default_key_signs_nothing(client: FlaskClient, admin_token: str) -> None:
    """With the key that used to be the default, anyone could sign a session holding an
    admin token's digest: a database row read once was admin forever."""
    forger = Flask("forger")
    forger.secret_key = "bilan-dev-only-secret"
    serializer = SecureCookieSessionInterface().get_signing_serializer(forger)
    assert serializer is not None
    forged = serializer.dumps({"admin": token_digest(admin_token), "sid": "x"})
    client.set_cookie("session", forged, path="/")
    assert LOGIN in admin_page(client)


def test_a_random_key_is_kept_in_the_database_for_every_replica(
    database_url: str, registry: Any, sessions: sessionmaker[Session], admin_token: str
) -> None:
    first, second = make_app(database_url).test_client(), make_app(database_url).test_client()
    sign_in(first, admin_token)
    with sessions() as session:
        (key,) = session.scalars(select(AppSecret.value)).all()
    assert len(key) >= 32
    # The other replica reads the same key: the cookie is good there too.
    second.set_cookie("session", session_cookie(first), path="/admin")
    assert SIGNED_IN in admin_page(second)


def test_another_database_draws_another_key(tmp_path: Any, database_url: str) -> None:
    from shared.storage.db import make_engine
    from shared.storage.models.base import Base

    other = f"sqlite:///{tmp_path / 'other.db'}"
    Base.metadata.create_all(make_engine(other))
    keys = []
    for url in (database_url, other):
        app = make_app(url)
        app.test_client().get("/admin")
        keys.append(app.secret_key)
    assert keys[0] and keys[1] and keys[0] != keys[1]


def test_a_short_secret_key_refuses_to_start(database_url: str) -> None:
    settings = replace(load_settings(), database_url=database_url, secret_key="change-me")
    with pytest.raises(RuntimeError, match="BILAN_SECRET_KEY"):
        make_app(database_url, SETTINGS=settings)


def test_logout_ends_the_sign_in_on_the_server(client: FlaskClient, admin_token: str) -> None:
    csrf = sign_in(client, admin_token)
    copied = session_cookie(client)
    client.post("/admin/logout", data={"csrf": csrf})
    assert LOGIN in admin_page(client)
    # The cookie of before, replayed: its session no longer exists.
    client.set_cookie("session", copied, path="/admin")
    assert LOGIN in admin_page(client)
    response = client.post("/admin/consolidations", data={"year": "2007", "csrf": csrf})
    assert response.status_code == 401


def test_revoking_the_token_ends_its_sign_ins(
    client: FlaskClient, admin_token: str, sessions: sessionmaker[Session]
) -> None:
    sign_in(client, admin_token)
    assert SIGNED_IN in admin_page(client)
    with sessions.begin() as session:
        token_id = session.scalars(select(Token.id).where(Token.role == "admin")).one()
        assert revoke_token(session, token_id)
        assert session.scalars(select(SignIn)).all() == []
    assert LOGIN in admin_page(client)


def test_an_expired_token_ends_its_sign_ins(
    client: FlaskClient, admin_token: str, sessions: sessionmaker[Session]
) -> None:
    sign_in(client, admin_token)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    with sessions.begin() as session:
        session.execute(update(Token).values(expires_at=past))
    assert LOGIN in admin_page(client)


def test_the_sign_in_lifetime_is_a_setting(
    database_url: str, registry: Any, admin_token: str, sessions: sessionmaker[Session]
) -> None:
    settings = replace(load_settings(), database_url=database_url, session_hours=0.5)
    client = make_app(database_url, SETTINGS=settings).test_client()
    csrf = csrf_of(admin_page(client))
    response = client.post("/admin/login", data={"token": admin_token, "csrf": csrf})
    expires = response.headers["Set-Cookie"].split("Expires=")[1].split(";")[0]
    in_half_an_hour = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=30)
    assert abs(parsedate_to_datetime(expires) - in_half_an_hour) < dt.timedelta(minutes=1)
    with sessions() as session:
        row = session.scalars(select(SignIn)).one()
        lifetime = row.expires_at - row.created_at
    assert lifetime == dt.timedelta(minutes=30)
    # Past its end, the session is over whatever the cookie says.
    with sessions.begin() as session:
        session.execute(update(SignIn).values(expires_at=dt.datetime(2000, 1, 1)))
    assert LOGIN in admin_page(client)


@pytest.mark.parametrize(("https", "secure"), [(True, True), (False, False)])
def test_secure_cookies_over_https(
    database_url: str, registry: Any, admin_token: str, https: bool, secure: bool
) -> None:
    settings = replace(load_settings(), database_url=database_url, https=https)
    client = make_app(database_url, SETTINGS=settings).test_client()
    csrf = csrf_of(admin_page(client))
    cookie = client.post("/admin/login", data={"token": admin_token, "csrf": csrf}).headers[
        "Set-Cookie"
    ]
    assert ("; Secure" in cookie) is secure
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/admin" in cookie


@pytest.mark.parametrize("csrf", ["", "forged"])
def test_the_login_csrf_check_fails_on_an_empty_cookie(
    client: FlaskClient, admin_token: str, csrf: str
) -> None:
    """No cookie, an empty CSRF field: the old check compared "" with "" and let it in."""
    response = client.post("/admin/login", data={"token": admin_token, "csrf": csrf})
    assert response.status_code == 400
    assert LOGIN in admin_page(client)


def test_the_sign_in_cookie_never_reaches_the_public_pages_or_the_api(
    client: FlaskClient, admin_token: str
) -> None:
    sign_in(client, admin_token)
    assert client.get_cookie("session", path="/admin") is not None
    assert client.get_cookie("session", path="/") is None
    for url in ("/", "/v1/figures?year=2007", "/donnees.json?year=2007"):
        response = client.get(url)
        assert "Set-Cookie" not in response.headers, url
        assert "Cookie" not in response.headers.get("Vary", ""), url
