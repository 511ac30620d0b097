"""``/connexion``: signing in with a token (any role that has pages), signing out, and the
401 page that holds the same form wherever a signed-in page is asked for without a session.

Failed sign-ins count towards the address's limit (shared/access/auth_failures.py): past it, a
429 with ``Retry-After``. A successful one gets a new cookie (and CSRF token), so that a
cookie planted before cannot be ridden, then goes back to the page it was asked from
(``suite``, a path of this site only) or to the role's home page.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from services.web.db import read_session, transaction
from services.web.http import refused_authentication
from services.web.signin.identity import SignInRequired, check_csrf
from shared.access.signins import PAGE_ROLES, close_web_session, open_web_session
from shared.access.tokens import authenticate

Page = tuple[str, int, dict[str, str]]

TOKEN_LABEL = "Jeton d'accès"
UNKNOWN = "Ce jeton n'est pas valide : il est inconnu, révoqué ou expiré."
NO_PAGES = "Ce jeton sert à transmettre des événements : il n'ouvre pas de session."


def local_path(target: str | None) -> str | None:
    """``target`` if it is a path of this site (``/declarations?annee=2007``), else None: a
    sign-in never sends anyone to another site."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


def _return_to(required: bool) -> str | None:
    """Where the form goes back to once signed in: the page asked for (a 401 page's own, or
    for a form posted after its session ended, the page that held it), or ``suite``."""
    if required and request.method == "GET":
        return local_path(request.full_path.rstrip("?"))
    if required:
        referrer = urlsplit(request.referrer or "")
        if referrer.netloc == request.host:
            return local_path(referrer.path + (f"?{referrer.query}" if referrer.query else ""))
        return None
    return local_path(request.values.get("suite"))


@dataclass(frozen=True)
class SignInForm:
    """Where a sign-in form posts and how it names the token (``/connexion``'s by default)."""

    action: str | None = None
    token_label: str = TOKEN_LABEL
    hint: str | None = None
    title: str = "Connexion"


def form_page(
    status: int = 200,
    form: SignInForm = SignInForm(),
    *,
    error: str | None = None,
    wait: int | None = None,
    required: bool = False,
) -> Page:
    """The sign-in page (or the 401 page) with its form."""
    title = "Connexion requise" if required and form.title == "Connexion" else form.title
    page = render_template(
        "connexion.html",
        action=form.action or url_for("signin.sign_in"),
        token_label=form.token_label,
        hint=form.hint,
        error=error,
        wait=wait,
        required=required,
        title=title,
        suite=_return_to(required),
        lifetime_hours=current_app.config["SETTINGS"].session_hours,
    )
    headers = {"Retry-After": str(wait)} if wait is not None else {}
    return page, status, headers


def sign_in_required(_exc: SignInRequired) -> Page:
    """The 401 page: this page needs a session; the form signs in and comes back here."""
    return form_page(401, required=True)


def sign_in_with(
    roles: tuple[str, ...], refused: str, home: str | None, form: SignInForm = SignInForm()
) -> WerkzeugResponse | Page:
    """Sign in with the posted token if its role is one of ``roles``; else the form again,
    with ``refused`` (or why the token is no good) beside the field."""
    check_csrf()
    secret = request.form.get("token", "").strip()
    with read_session() as db:
        caller = authenticate(db, f"Bearer {secret}") if secret else None
    if caller is None or caller.role not in roles:
        retry_after = refused_authentication()
        if retry_after is not None:
            return form_page(429, form, wait=retry_after)
        if caller is None:
            return form_page(401, form, error=UNKNOWN if secret else "Saisissez votre jeton.")
        return form_page(403, form, error=refused)
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"]
    with transaction() as db:
        session_id = open_web_session(db, caller, lifetime)
    session.clear()
    session.permanent = True
    session["sid"] = session_id
    target = local_path(request.form.get("suite")) or home
    if target is None:
        target = url_for("yearend.admin") if caller.role == "admin" else url_for("yearend.campaign")
    return redirect(target)


def sign_in_page() -> Page:
    """The sign-in form, or who is signed in."""
    return form_page()


def sign_in() -> WerkzeugResponse | Page:
    return sign_in_with(PAGE_ROLES, NO_PAGES, None)


def sign_out() -> WerkzeugResponse:
    """End the session (its row: on every replica) and the cookie."""
    check_csrf()
    session_id = session.get("sid")
    if session_id:
        with transaction() as db:
            close_web_session(db, session_id)
    session.clear()
    flash("Vous êtes déconnecté : la session est close sur le serveur.", "success")
    return redirect(url_for("signin.sign_in_page"))
