"""The event format of SPEC §3: one msgspec schema that validates requests,
types the decoded events and generates the OpenAPI document.

Each event type is its own struct in a tagged union on ``type``, so that
"required for outcome, forbidden otherwise" is the schema itself, not code
beside it. Only the date window (it moves with today) is checked in code.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Callable, Iterable
from typing import Annotated, Any, Literal, TypeVar

import msgspec
from msgspec import Meta


def id_pattern(characters: str) -> str:
    """A whole-string pattern of these characters, the same in Python and JSON Schema.

    Python's ``$`` also matches before a final newline (``"a\n"`` would pass): the
    look-ahead refuses it, and is a no-op for JSON Schema's (ECMA-262) ``$``.
    """
    return rf"^[{characters}]+$(?!\n)"


EventId = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=128,
        pattern=id_pattern("A-Za-z0-9._:-"),
        description="Unique forever: the idempotency key.",
    ),
]
StructureId = Annotated[str, Meta(min_length=1, max_length=32, pattern=id_pattern("A-Za-z0-9._-"))]
YouthId = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=64,
        pattern=id_pattern("A-Za-z0-9._-"),
        description="Pseudonymous id, stable across structures (never a name, e-mail or NIR).",
    ),
]
OutcomeKind = Literal["employment", "subsidized_employment", "work_study", "training"]
ExitReason = Literal["durable_employment", "non_durable_employment", "training", "other"]
Channel = Literal["visit", "phone", "mail", "digital"]
EducationLevel = Literal["VI", "Vbis", "V", "IV", "III+"]

OUTCOME_KINDS: tuple[str, ...] = typing.get_args(OutcomeKind)
EXIT_REASONS: tuple[str, ...] = typing.get_args(ExitReason)

FIRST_DAY = dt.date(1982, 1, 1)
MAX_EVENTS_PER_REQUEST = 10_000
MAX_REQUEST_BYTES = 10 * 1024 * 1024


class YouthProfile(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    sex: Literal["F", "M"] | None = None
    birth_year: Annotated[int, Meta(ge=1900, le=2100)] | None = None
    education_level: EducationLevel | None = None


class _Event(
    msgspec.Struct, tag_field="type", forbid_unknown_fields=True, omit_defaults=True, kw_only=True
):
    event_id: EventId
    occurred_on: dt.date
    structure_id: StructureId
    youth_id: YouthId


class FirstReception(_Event, tag="first_reception"):
    youth: YouthProfile | None = None


class Contact(_Event, tag="contact"):
    channel: Channel | None = None


class Interview(_Event, tag="interview"):
    pass


class Workshop(_Event, tag="workshop"):
    pass


class Outcome(_Event, tag="outcome"):
    outcome: OutcomeKind


class CivisEntry(_Event, tag="civis_entry"):
    pass


class CivisExit(_Event, tag="civis_exit"):
    exit_reason: ExitReason


class Retraction(_Event, tag="retraction"):
    retracts: EventId


Event = (
    FirstReception | Contact | Interview | Workshop | Outcome | CivisEntry | CivisExit | Retraction
)

EVENT_TYPES: tuple[str, ...] = tuple(
    str(cls.__struct_config__.tag)
    for cls in (
        FirstReception,
        Contact,
        Interview,
        Workshop,
        Outcome,
        CivisEntry,
        CivisExit,
        Retraction,
    )
)

_decoder = msgspec.json.Decoder(Event)
_batch_decoder = msgspec.json.Decoder(list[Event])
_T = TypeVar("_T")


class InvalidEvent(ValueError):
    """An event that breaks SPEC §3; the message says which rule."""

    def __init__(self, message: str, event_id: str | None = None) -> None:
        super().__init__(message)
        self.event_id = event_id


class MalformedJSON(ValueError):
    """Not JSON at all (or not UTF-8): the whole request is malformed, not one event."""


def check_event(event: Event, today: dt.date | None = None) -> Event:
    """The rules the schema cannot hold: the date window (it moves with today), no
    retraction of itself. Raises InvalidEvent."""
    return _checked(event, _last_day(today))


def _last_day(today: dt.date | None) -> dt.date:
    """The last day an event may have occurred on (tomorrow: time zones)."""
    return (today or dt.date.today()) + dt.timedelta(days=1)


def _checked(event: Event, last_day: dt.date) -> Event:
    if not FIRST_DAY <= event.occurred_on <= last_day:
        raise InvalidEvent(
            f"occurred_on {event.occurred_on.isoformat()} is outside "
            f"{FIRST_DAY.isoformat()}..{last_day.isoformat()} - at `$.occurred_on`",
            event.event_id,
        )
    if isinstance(event, Retraction) and event.retracts == event.event_id:
        raise InvalidEvent("a retraction cannot retract itself - at `$.retracts`", event.event_id)
    return event


def decode_event(raw: bytes | msgspec.Raw, today: dt.date | None = None) -> Event:
    """Decode and validate one event, or raise InvalidEvent (MalformedJSON if not JSON)."""
    try:
        event = _decoder.decode(raw)
    except msgspec.ValidationError as exc:
        raise InvalidEvent(str(exc), loose_event_id(raw)) from None
    except (msgspec.DecodeError, RecursionError) as exc:
        raise MalformedJSON(str(exc)) from None
    return check_event(event, today)


def decode_elements(
    raws: Iterable[bytes | msgspec.Raw], today: dt.date | None = None
) -> list[Event | InvalidEvent]:
    """Each element decoded and checked, or the InvalidEvent that says why not."""
    return _each_checked(raws, lambda raw: decode_event(raw, today))


def decode_array(array: bytes, today: dt.date | None = None) -> list[Event | InvalidEvent] | None:
    """A JSON array of valid events, decoded in one pass (the common case); None when an
    element breaks the schema, so that the caller decodes them one by one for the errors."""
    try:
        events = _batch_decoder.decode(array)
    except msgspec.ValidationError:
        return None
    except (msgspec.DecodeError, RecursionError) as exc:
        raise MalformedJSON(str(exc)) from None
    # One window for the whole request: working it out per event (the clock, a timedelta)
    # was 7 % of ingest's samples on 5 000-event batches (py-spy, issue 21).
    last_day = _last_day(today)
    return _each_checked(events, lambda event: _checked(event, last_day))


def _each_checked(items: Iterable[_T], check: Callable[[_T], Event]) -> list[Event | InvalidEvent]:
    """Each item checked, or the InvalidEvent that says why not (a batch answers for each)."""
    checked: list[Event | InvalidEvent] = []
    for item in items:
        try:
            checked.append(check(item))
        except InvalidEvent as exc:
            checked.append(exc)
    return checked


class _IdOnly(msgspec.Struct):
    event_id: Any = None


def loose_event_id(raw: bytes | msgspec.Raw) -> str | None:
    """The event_id of an element that failed validation, when it has a usable one."""
    try:
        value = msgspec.json.decode(raw, type=_IdOnly).event_id
    except (msgspec.ValidationError, msgspec.DecodeError, RecursionError):
        return None
    return value if isinstance(value, str) else None


def event_row(event: Event) -> tuple[Any, ...]:
    """The columns an event is stored under (without batch and region), in the order of
    CONTENT_FIELDS."""
    youth = getattr(event, "youth", None)
    return (
        event.event_id,
        _TAGS[type(event)],
        event.occurred_on,
        event.structure_id,
        event.youth_id,
        getattr(event, "outcome", None),
        getattr(event, "exit_reason", None),
        getattr(event, "channel", None),
        getattr(event, "retracts", None),
        youth.sex if youth else None,
        youth.birth_year if youth else None,
        youth.education_level if youth else None,
    )


_TAGS: dict[type, str] = {cls: str(cls.__struct_config__.tag) for cls in typing.get_args(Event)}
CONTENT_FIELDS: tuple[str, ...] = (
    "event_id",
    "type",
    "occurred_on",
    "structure_id",
    "youth_id",
    "outcome",
    "exit_reason",
    "channel",
    "retracts",
    "youth_sex",
    "youth_birth_year",
    "youth_education_level",
)


def event_record(event: Event) -> dict[str, Any]:
    """The stored columns of an event, by name."""
    return dict(zip(CONTENT_FIELDS, event_row(event), strict=True))


def same_content(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two records carry the same event (a duplicate, not a conflict)."""
    return all(a[field] == b[field] for field in CONTENT_FIELDS)
