"""shared/events.py: the one-pass decoding of a valid array checks the rules the schema cannot
hold, as the element-by-element path does."""

from __future__ import annotations

import datetime as dt

import msgspec

from shared.events import InvalidEvent, decode_array, decode_elements
from tests.support.events import event


def test_the_one_pass_decoding_checks_the_date_window_and_self_retractions() -> None:
    events = [
        event("ok", on="2026-12-07"),
        event("tomorrow", on="2026-12-08"),  # allowed: time zones
        event("later", on="2026-12-09"),
        event("self", "retraction", retracts="self", on="2026-12-01"),
    ]
    today = dt.date(2026, 12, 7)
    decoded = decode_array(msgspec.json.encode(events), today)
    assert decoded is not None
    assert [type(item) is InvalidEvent for item in decoded] == [False, False, True, True]
    assert "outside 1982-01-01..2026-12-08" in str(decoded[2])
    assert "cannot retract itself" in str(decoded[3])
    one_by_one = decode_elements([msgspec.json.encode(e) for e in events], today)
    assert [str(item) for item in decoded] == [str(item) for item in one_by_one]
