"""The JSON answers of ``POST /v1/events`` (SPEC §5) as msgspec structs: the route encodes
them, ``/openapi.json`` documents them (services/ingest/openapi.py)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

# The codes of an invalid event (shared/pipeline/ingestion.py).
EventErrorCode = Literal[
    "invalid", "unknown_structure", "conflict", "forbidden_structure", "purged_year"
]


class Recorded(msgspec.Struct):
    """All events valid: the new ones durably recorded, the others already were."""

    batch_id: str
    accepted: int
    duplicates: int


class EventError(msgspec.Struct):
    index: int
    event_id: str | None
    code: EventErrorCode
    message: str


class InvalidEvents(msgspec.Struct):
    """The batch refused (422): nothing was recorded."""

    error: Literal["invalid_events"]
    message: str
    errors: list[EventError]


class Unavailable(msgspec.Struct):
    """Storage unavailable (503): nothing recorded, unless ``outcome`` is ``unknown``."""

    error: Literal["unavailable"]
    message: str
    outcome: (
        Annotated[
            Literal["unknown"],
            msgspec.Meta(
                description="Present only when the batch may have been recorded (SPEC §5)"
            ),
        ]
        | msgspec.UnsetType
    ) = msgspec.UNSET


STRUCTS = (Recorded, InvalidEvents, Unavailable)
