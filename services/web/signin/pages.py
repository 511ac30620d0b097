"""Signing in and out: ``/connexion`` with a token of any role that has pages,
``/admin/login`` with an admin token, signing out from either, and the 401 page that holds
a sign-in form wherever a signed-in page is asked for without a sign-in.

Failed sign-ins count towards the address's limit (shared/access/auth_failures.py): past it, a
429 with ``Retry-After``. A successful one gets a new cookie (and CSRF token), so that a
cookie planted before cannot be ridden, then goes back to the page it was asked from
(``suite``, a path of this site only) or to the role's home page.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask import session as sign_in_cookie
from werkzeug.wrappers import Response as WerkzeugResponse

from services.http.bearer import caller_of_token, refused_authentication
from services.web.db import transaction
from services.web.signin.forms import ADMIN_FORM, CONNEXION_FORM, SignInForm
from services.web.signin.identity import SignInRequired, check_csrf, home_of
from shared.access.signins import PAGE_ROLES, close_sign_in, open_sign_in

Page = tuple[str, int, dict[str, str]]

UNKNOWN = "Ce jeton n'est pas valide : il est inconnu, révoqué ou expiré."
NO_PAGES = "Ce jeton sert à transmettre des événements : il n'ouvre pas de session."
NOT_ADMIN = "Ce jeton n'est pas un jeton d'administration valide."


def local_path(target: str | None) -> str | None:
    """``target`` if it is a path of this site (``/declarations?annee=2007``), else None: a
    sign-in never sends anyone to another site."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


def _return_to(required: bool) -> str | None:
    """Where the form goes back to once signed in: the page asked for (a 401 page's own, or
    for a form posted after its sign-in ended, the page that held it), or ``suite``."""
    if required and request.method == "GET":
        return local_path(request.full_path.rstrip("?"))
    if required:
        referrer = urlsplit(request.referrer or "")
        if referrer.netloc == request.host:
            return local_path(referrer.path + (f"?{referrer.query}" if referrer.query else ""))
        return None
    return local_path(request.values.get("suite"))


def form_page(
    status: int = 200,
    form: SignInForm = CONNEXION_FORM,
    *,
    error: str | None = None,
    wait: int | None = None,
    required: bool = False,
) -> Page:
    """The sign-in page (or the 401 page) with its form."""
    title = "Connexion requise" if required and form.title == "Connexion" else form.title
    page = render_template(
        "connexion.html",
        action=url_for(form.endpoint or "signin.sign_in"),
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


def sign_in_required(exc: SignInRequired) -> Page:
    """The 401 page: this page needs a sign-in; the form signs in and comes back here."""
    return form_page(401, exc.form, required=True)


def sign_in_with(
    roles: tuple[str, ...], refused: str, form: SignInForm = CONNEXION_FORM
) -> WerkzeugResponse | Page:
    """Sign in with the posted token if its role is one of ``roles``, then go back to the
    page it came from or to the role's home; else the form again, with ``refused`` (or why
    the token is no good) beside the field."""
    check_csrf()
    secret = request.form.get("token", "").strip()
    caller = caller_of_token(f"Bearer {secret}") if secret else None
    if caller is None or caller.role not in roles:
        retry_after = refused_authentication()
        if retry_after is not None:
            return form_page(429, form, wait=retry_after)
        if caller is None:
            return form_page(401, form, error=UNKNOWN if secret else "Saisissez votre jeton.")
        return form_page(403, form, error=refused)
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"]
    with transaction() as db:
        sign_in_id = open_sign_in(db, caller, lifetime)
    sign_in_cookie.clear()
    sign_in_cookie.permanent = True
    sign_in_cookie["sid"] = sign_in_id
    return redirect(local_path(request.form.get("suite")) or home_of(caller.role))


def sign_in_page() -> Page:
    """The sign-in form, or who is signed in."""
    return form_page()


def sign_in() -> WerkzeugResponse | Page:
    """``POST /connexion``."""
    return sign_in_with(PAGE_ROLES, NO_PAGES)


def admin_sign_in() -> WerkzeugResponse | Page:
    """``POST /admin/login``: an admin token only."""
    return sign_in_with(("admin",), NOT_ADMIN, ADMIN_FORM)


def sign_out() -> WerkzeugResponse:
    """End the sign-in (its row: on every replica) and the cookie."""
    check_csrf()
    sign_in_id = sign_in_cookie.get("sid")
    if sign_in_id:
        with transaction() as db:
            close_sign_in(db, sign_in_id)
    sign_in_cookie.clear()
    flash("Vous êtes déconnecté : la session est close sur le serveur.", "success")
    return redirect(url_for("signin.sign_in_page"))
