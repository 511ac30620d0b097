"""A request's JSON body decoded into its struct (the body's size is bounded by the app's
``MAX_CONTENT_LENGTH``: services.http.init_app)."""

from __future__ import annotations

from typing import TypeVar

import msgspec
from flask import request

from services.http.errors import ApiError

T = TypeVar("T")


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
