"""The caller of a request, from its ``Authorization: Bearer <token>`` header, and the limit
on failed authentications (shared/access/auth_failures.py).

Every failed authentication — a bearer token refused, a sign-in form's token refused —
is counted against the client's address where it is refused: past the limit, the answer
is a 429 with ``Retry-After`` instead of a 401. A valid token is never counted nor held
back. A token's "last used" is noted after the lookup, in a short transaction of its own
(shared.access.tokens.UseNotes): the lookup itself only reads.
"""

from __future__ import annotations

from flask import Flask, current_app, g, request

from services.http.errors import ApiError
from shared.access.auth_failures import FailedAuthentications
from shared.access.tokens import Caller, UseNotes, authenticate

UNAUTHORIZED = "a valid 'Authorization: Bearer <token>' header is required"


def init_app(app: Flask) -> None:
    """The app's counter of failed authentications and its notes of tokens' use."""
    settings = app.config["SETTINGS"]
    # /readyz says where the failures are counted (shared/storage/readiness.py).
    app.extensions["auth_failures"] = FailedAuthentications(
        settings.rate_limit_storage, settings.auth_failure_limit
    )
    app.extensions["token_uses"] = UseNotes(app.extensions["sessions"])


def caller_of_token(secret_header: str | None) -> Caller | None:
    """The caller of an ``Authorization`` header's value (None: no such usable token), its
    use noted. Read in a read-only session: noting the use takes the write lock apart."""
    with current_app.extensions["read_sessions"]() as session:
        caller = authenticate(session, secret_header)
    if caller is not None:
        uses: UseNotes = current_app.extensions["token_uses"]
        uses.note(caller.token_id)
        g.caller = caller  # who read, for the audit of reads (services/web/audit_reads.py)
    return caller


def refused_authentication() -> int | None:
    """Count a failed authentication from this request's address: None while within the
    limit, else the seconds to wait."""
    failures: FailedAuthentications = current_app.extensions["auth_failures"]
    return failures.refused(request.remote_addr or "")


def authenticated() -> Caller:
    """The caller of this request; else a 401, or a 429 past the limit of failures."""
    caller = caller_of_token(request.headers.get("Authorization"))
    if caller is None:
        retry_after = refused_authentication()
        if retry_after is not None:
            message = f"too many failed authentications: retry in {retry_after} s"
            raise ApiError(429, "too_many_requests", message, {"Retry-After": str(retry_after)})
        raise ApiError(401, "unauthorized", UNAUTHORIZED)
    return caller


def require_role(*roles: str, action: str) -> Caller:
    """The caller, if its role is one of ``roles``; else a 401 or a 403 saying it may not
    ``action``."""
    caller = authenticated()
    if caller.role not in roles:
        raise ApiError(403, "forbidden", f"role {caller.role!r} may not {action}")
    return caller
