"""What every route of the API shares: JSON answers and errors, body and query parsing, roles.

An ``ApiError`` raised anywhere in a request becomes the JSON error of SPEC §5
(``{"error": code, "message": ...}``) with its status; the pages catch it to show
their own French message instead.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, TypeVar

import msgspec
from flask import Response, request

from services.web.db import write_session
from shared.events import FIRST_DAY
from shared.regions import REGIONS
from shared.tokens import Caller, authenticate

T = TypeVar("T")

_YEAR = re.compile(r"[0-9]{4}")
_POSITIVE = re.compile(r"[0-9]+")


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
    """The request's JSON body (or ``body``) as ``decoder``'s type: 400 if not JSON, 422 if
    not of that shape."""
    try:
        return decoder.decode(request.get_data(cache=False) if body is None else body)
    except msgspec.ValidationError as exc:
        raise ApiError(422, "invalid", str(exc)) from None
    except msgspec.DecodeError as exc:
        raise ApiError(400, "malformed", f"body is not valid JSON: {exc}") from None


def optional(name: str) -> str | None:
    """A query parameter, with an empty value taken as absent (as HTML forms send it)."""
    return request.args.get(name) or None


def year_range(today: dt.date | None = None) -> tuple[int, int]:
    """The years figures exist for: events may be dated up to tomorrow (SPEC §3)."""
    return FIRST_DAY.year, (today or dt.date.today()).year + 1


def parse_year(value: str | None, today: dt.date | None = None) -> int:
    """A ``year`` (query or path); the current year when absent."""
    today = today or dt.date.today()
    if value is None:
        return today.year
    first, last = year_range(today)
    if not _YEAR.fullmatch(value) or not first <= int(value) <= last:
        message = f"year must be an integer from {first} to {last}"
        raise ApiError(400, "invalid_parameter", message)
    return int(value)


def whole_number(value: str | None) -> int | None:
    """A non-negative integer written in digits, else None (absent or not a number)."""
    return int(value) if value is not None and _POSITIVE.fullmatch(value) else None


def check_region(region: str) -> None:
    """A 404 unless ``region`` is the INSEE code of a region (SPEC §4.1)."""
    if region not in REGIONS:
        raise ApiError(404, "unknown_region", f"no region {region!r} (expected an INSEE code)")


def optional_region() -> str | None:
    """The ``region`` parameter, if given: a 404 unless it is a region's code."""
    region = optional("region")
    if region:
        check_region(region)
    return region


def authenticated() -> Caller:
    """The caller of this request, or a 401."""
    with write_session() as session:
        caller = authenticate(session, request.headers.get("Authorization"))
    if caller is None:
        raise ApiError(
            401, "unauthorized", "a valid 'Authorization: Bearer <token>' header is required"
        )
    return caller


def require_role(*roles: str, action: str) -> Caller:
    """The caller, if its role is one of ``roles``; else a 401 or a 403 saying it may not
    ``action``."""
    caller = authenticated()
    if caller.role not in roles:
        raise ApiError(403, "forbidden", f"role {caller.role!r} may not {action}")
    return caller
