"""Refusals and failures as answers: ``ApiError``, the JSON error of SPEC §5, and the
handlers that answer every error in the kind of its blueprint (services/http/answers.py).

A JSON error is ``{"error": code, "message": ...}`` (with extra keys where the route adds
them); a 503 says ``Retry-After``. A page's error is drawn by the app's ``PageRenderer``
(the web's French pages): the route's own reason if it gave one, else the renderer's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import msgspec
from flask import Flask, Response, current_app
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    MethodNotAllowed,
    RequestEntityTooLarge,
)

from services.http.answers import Answers, answers_json

log = logging.getLogger(__name__)

# How long a client waits before trying again after a 503 (or an unreachable database).
RETRY_AFTER_SECONDS = 5
INTERNAL = "an unexpected error occurred; the details are in the service's log"
# The messages of the errors no route chose (the codes are the exceptions' names).
_MESSAGES = {
    404: "no such resource",
    405: "method not allowed on this resource",
}

# A page's answer to a refusal: (status, the route's own message or None) -> response.
PageRenderer = Callable[[int, str | None], Response]


class ApiError(Exception):
    """A request refused: the HTTP status, the error code and its message (``headers``:
    the answer's own, e.g. ``Retry-After``)."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


class ErrorBody(msgspec.Struct):
    error: str
    message: str


def json_response(document: Any, status: int = 200) -> Response:
    """``document`` (a struct or builtins) encoded as the JSON answer."""
    return Response(msgspec.json.encode(document), status=status, mimetype="application/json")


def error_response(status: int, code: str, message: str, **extra: Any) -> Response:
    """The JSON error of SPEC §5 (``extra``: more keys of the body); a 503 says when to
    try again."""
    body = (
        ErrorBody(error=code, message=message)
        if not extra
        else {
            "error": code,
            "message": message,
            **extra,
        }
    )
    response = json_response(body, status)
    if status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def no_store(response: Response) -> Response:
    """A live answer: caches must ask again every time."""
    response.headers["Cache-Control"] = "no-store"
    return response


def too_large_message() -> str:
    """What a 413 says: the app's body limit."""
    return f"a request holds at most {current_app.config['MAX_CONTENT_LENGTH']} bytes"


def _json_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    if isinstance(exc, RequestEntityTooLarge):
        return error_response(413, "too_large", too_large_message())
    code = (exc.name or "error").lower().replace(" ", "_")
    own = exc.description != type(exc).description
    message = exc.description if own else _MESSAGES.get(status, exc.description or exc.name)
    return error_response(status, code, message or code)


def init_app(
    app: Flask, *, unrouted: Answers, json_prefix: str | None, page: PageRenderer | None
) -> None:
    """Every error answered JSON or as a page, by its blueprint; never Flask's English page."""
    app.extensions["unrouted"] = unrouted
    app.extensions["json_prefix"] = json_prefix

    def as_json() -> bool:
        return page is None or answers_json()

    @app.errorhandler(ApiError)
    def _refused(exc: ApiError) -> Response:
        if as_json():
            response = error_response(exc.status, exc.code, exc.message)
        else:
            assert page is not None
            response = page(exc.status, exc.message)
        response.headers.update(exc.headers)
        return response

    @app.errorhandler(InternalServerError)
    def _failed(_: InternalServerError) -> Response:
        # Flask has logged the exception; the reader gets JSON or a plain page, no trace.
        if as_json():
            return error_response(500, "internal_error", INTERNAL)
        assert page is not None
        return page(500, None)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        if as_json():
            response = _json_error(exc)
        else:
            assert page is not None
            # The route's own reason if it gave one (abort(400, "…")), else the page's default.
            status = exc.code or 500
            own = exc.description != type(exc).description and status < 500
            response = page(status, exc.description if own else None)
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(OperationalError)
    def _unavailable(exc: OperationalError) -> Response:
        log.warning("database unavailable: %s", exc)
        if as_json():
            return error_response(503, "unavailable", "the database is unreachable")
        assert page is not None
        response = page(503, None)
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.after_request
    def _not_sniffed(response: Response) -> Response:
        # An answer is what its Content-Type says (the web's Talisman says it too).
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
