"""What every route of the API shares: JSON answers and errors, body decoding, roles.

An ``ApiError`` raised anywhere in a request becomes the JSON error of SPEC §5
(``{"error": code, "message": ...}``) with its status; the pages catch it to show
their own French message instead.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec
from flask import Flask, Response, current_app, request

from services.web.db import read_session
from shared.access.auth_failures import FailedAuthentications
from shared.access.tokens import Caller, authenticate

T = TypeVar("T")


class ApiError(Exception):
    """A request the API refuses: the HTTP status, the error code and its message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class ErrorBody(msgspec.Struct):
    error: str
    message: str


def json_response(document: Any, status: int = 200) -> Response:
    """``document`` (a struct or builtins) encoded as the JSON answer."""
    return Response(msgspec.json.encode(document), status=status, mimetype="application/json")


def error_response(status: int, code: str, message: str) -> Response:
    """The JSON error of SPEC §5."""
    return json_response(ErrorBody(error=code, message=message), status)


def no_store(response: Response) -> Response:
    """A live answer: caches must ask again every time."""
    response.headers["Cache-Control"] = "no-store"
    return response


def decode_body(decoder: msgspec.json.Decoder[T], body: bytes | None = None) -> T:
    """The request's JSON body (or ``body``) as ``decoder``'s type: 415 if not sent as JSON,
    400 if not JSON, 422 if not of that shape."""
    if request.mimetype != "application/json":
        sent = request.mimetype or "no Content-Type"
        message = f"send the body as application/json (got {sent})"
        raise ApiError(415, "unsupported_media_type", message)
    try:
        return decoder.decode(request.get_data(cache=False) if body is None else body)
    except msgspec.ValidationError as exc:
        raise ApiError(422, "invalid", str(exc)) from None
    except msgspec.DecodeError as exc:
        raise ApiError(400, "malformed", f"body is not valid JSON: {exc}") from None


def authenticated() -> Caller:
    """The caller of this request, or a 401."""
    # A read session: on SQLite a write one would hold the lock that noting the token's
    # use takes on a connection of its own.
    with read_session() as session:
        caller = authenticate(session, request.headers.get("Authorization"))
    if caller is None:
        raise ApiError(
            401, "unauthorized", "a valid 'Authorization: Bearer <token>' header is required"
        )
    return caller


def refused_authentication() -> int | None:
    """Count a failed authentication from this request's address: None while within the
    limit, else the seconds to wait (shared/access/auth_failures.py)."""
    failures: FailedAuthentications = current_app.extensions["auth_failures"]
    return failures.refused(request.remote_addr or "")


def init_app(app: Flask) -> None:
    """Failed authentications of the API limited per address: past the limit, the 401 an
    API route answers becomes a 429 with Retry-After (a valid token is never counted)."""
    settings = app.config["SETTINGS"]
    app.extensions["auth_failures"] = FailedAuthentications(
        settings.rate_limit_storage, settings.auth_failure_limit
    )

    @app.after_request
    def _limit(response: Response) -> Response:
        if response.status_code != 401 or not request.path.startswith("/v1/"):
            return response
        retry_after = refused_authentication()
        if retry_after is None:
            return response
        limited = error_response(
            429, "too_many_requests", f"too many failed authentications: retry in {retry_after} s"
        )
        limited.headers["Retry-After"] = str(retry_after)
        return limited


def require_role(*roles: str, action: str) -> Caller:
    """The caller, if its role is one of ``roles``; else a 401 or a 403 saying it may not
    ``action``."""
    caller = authenticated()
    if caller.role not in roles:
        raise ApiError(403, "forbidden", f"role {caller.role!r} may not {action}")
    return caller
