"""Reading a ``POST /v1/events`` body into events, with memory bounded by its size.

Three framings (SPEC §5): a JSON array, ``{"events": [...]}``, or NDJSON. The
common case — every event valid — is one msgspec pass over the whole array into
typed structs. Only when some element breaks the schema are the elements
decoded one by one, to name each error; the elements are then counted *before*
any is decoded, so a body of millions of tiny elements is refused (413) after a
scan that builds nothing. Not JSON, not UTF-8, nested too deep: ``BadBody`` (400).
"""

from __future__ import annotations

import datetime as dt
import json
import re

import msgspec

from shared.events import (
    MAX_EVENTS_PER_REQUEST,
    Event,
    InvalidEvent,
    MalformedJSON,
    decode_array,
    decode_elements,
)

NDJSON = "application/x-ndjson"
_BLANK = re.compile(rb"[ \t\r\n]*")
_SPACE = re.compile(r"[ \t\r\n]*")


def _skip_blank(body: bytes, at: int) -> int:
    """Past the blank lines and spaces from ``at``, however many, in one C call."""
    match = _BLANK.match(body, at)
    return match.end() if match else at


def _skip_space(text: str, at: int) -> int:
    match = _SPACE.match(text, at)
    return match.end() if match else at


class BadBody(ValueError):
    """The body is not a batch of events at all (400)."""


class TooManyEvents(ValueError):
    """More than MAX_EVENTS_PER_REQUEST events (413)."""


class _Envelope(msgspec.Struct, forbid_unknown_fields=True):
    events: msgspec.Raw


def decode_body(
    body: bytes, content_type: str, today: dt.date | None = None
) -> list[Event | InvalidEvent]:
    """The events of a request body, in order, each decoded or with its error."""
    try:
        if content_type == NDJSON:
            return _ndjson(body, today)
        stripped = body.lstrip()
        if stripped.startswith(b"{"):
            try:
                array = bytes(msgspec.json.decode(body, type=_Envelope).events)
            except msgspec.ValidationError as exc:
                raise BadBody(f'expected {{"events": [...]}}: {exc}') from None
        elif stripped.startswith(b"["):
            array = body
        else:
            raise BadBody('expected a JSON array of events or {"events": [...]}')
        return _array(array, today)
    except (MalformedJSON, msgspec.DecodeError, RecursionError, UnicodeDecodeError) as exc:
        raise BadBody(f"body is not valid JSON: {exc}") from None


def _array(array: bytes, today: dt.date | None) -> list[Event | InvalidEvent]:
    decoded = decode_array(array, today)
    if decoded is None:
        decoded = decode_elements(_elements(array), today)
    if len(decoded) > MAX_EVENTS_PER_REQUEST:
        raise TooManyEvents(len(decoded))
    return decoded


def _elements(array: bytes) -> list[bytes]:
    """The elements of a JSON array, each as its own JSON text; TooManyEvents past the
    limit, without decoding what lies beyond."""
    text = array.decode("utf-8")
    scanner = json.JSONDecoder()
    at = _skip_space(text, 0)
    if text[at : at + 1] != "[":
        raise BadBody('expected a JSON array of events or {"events": [...]}')
    at = _skip_space(text, at + 1)
    elements: list[bytes] = []
    if text[at : at + 1] == "]":
        at += 1
    else:
        while True:
            try:
                _, end = scanner.raw_decode(text, at)
            except json.JSONDecodeError as exc:
                raise BadBody(f"body is not valid JSON: {exc}") from None
            elements.append(text[at:end].encode())
            if len(elements) > MAX_EVENTS_PER_REQUEST:
                raise TooManyEvents(len(elements))
            at = _skip_space(text, end)
            separator = text[at : at + 1]
            at = _skip_space(text, at + 1)
            if separator == "]":
                break
            if separator != ",":
                raise BadBody(f"body is not valid JSON: expected ',' or ']' at {at}")
    if text[at:].strip(" \t\r\n"):
        raise BadBody("body is not valid JSON: trailing characters after the array")
    return elements


def _ndjson(body: bytes, today: dt.date | None) -> list[Event | InvalidEvent]:
    lines: list[bytes] = []
    numbers: list[int] = []  # where each line starts, for error messages
    at = 0
    while True:
        at = _skip_blank(body, at)
        if at >= len(body):
            break
        end = body.find(b"\n", at)
        end = len(body) if end < 0 else end
        lines.append(body[at:end])
        numbers.append(at)
        if len(lines) > MAX_EVENTS_PER_REQUEST:
            raise TooManyEvents(len(lines))
        at = end + 1
    # The common case: all valid, one pass over the lines as one array (a line holding two
    # values, or half of one, shows as a length mismatch or an error: then line by line).
    try:
        decoded = decode_array(b"[" + b",".join(lines) + b"]", today) if lines else []
    except MalformedJSON:
        decoded = None
    if decoded is not None and len(decoded) == len(lines):
        return decoded
    items: list[Event | InvalidEvent] = []
    for line, start in zip(lines, numbers, strict=True):
        try:
            items.extend(decode_elements([line], today))
        except MalformedJSON as exc:
            number = body.count(b"\n", 0, start) + 1
            raise BadBody(f"line {number} is not JSON: {exc}") from None
    return items
