"""A small year of events at the three test structures, with its figures computed by hand."""

from __future__ import annotations

from shared.figures import FIGURE_KEYS
from tests.support.events import event

ZERO = dict.fromkeys(FIGURE_KEYS, 0)


def figures(**values: int | float) -> dict[str, int | float]:
    return {**ZERO, **values}


# Y1 is interviewed by both structures of region 11 and finds a job through the second;
# Y2 is interviewed in 11 but trains through a workshop in 24; Y3 goes through CIVIS;
# Y4 is interviewed and gets a subsidised job in 24; Y5's only event is retracted.
EVENTS = [
    event("y1-fr", "first_reception", on="2007-01-10", youth="Y1"),
    event("y1-i1", "interview", on="2007-03-15", youth="Y1"),
    event("y1-i2", "interview", on="2007-03-20", structure="ML-11-002", youth="Y1"),
    event(
        "y1-out",
        "outcome",
        on="2007-04-01",
        structure="ML-11-002",
        youth="Y1",
        outcome="employment",
    ),
    event("y1-2006", "interview", on="2006-12-31", youth="Y1"),
    event("y2-i", "interview", on="2007-02-01", youth="Y2"),
    event("y2-w", "workshop", on="2007-02-05", structure="PAIO-24-001", youth="Y2"),
    event(
        "y2-out",
        "outcome",
        on="2007-05-01",
        structure="PAIO-24-001",
        youth="Y2",
        outcome="training",
    ),
    event("y3-c", "contact", on="2007-06-01", youth="Y3", channel="phone"),
    event("y3-ce", "civis_entry", on="2007-06-01", youth="Y3"),
    event("y3-cx", "civis_exit", on="2007-12-01", youth="Y3", exit_reason="durable_employment"),
    event("y4-i", "interview", on="2007-07-01", structure="PAIO-24-001", youth="Y4"),
    event(
        "y4-out",
        "outcome",
        on="2007-07-02",
        structure="PAIO-24-001",
        youth="Y4",
        outcome="subsidized_employment",
    ),
    event("y5-i", "interview", on="2007-03-01", youth="Y5"),
    event("y5-r", "retraction", on="2007-03-01", youth="Y5", retracts="y5-i"),
]


NATIONAL_2007 = figures(
    youths_first_reception=1,
    youths_in_contact=4,
    youths_received=3,
    youths_interviewed=3,
    interviews=4,
    youths_with_access=3,
    access_rate=1.0,
    youths_employment=1,
    youths_subsidized_or_work_study=1,
    youths_training=1,
    civis_entries=1,
    civis_exits=1,
    civis_exits_durable_employment=1,
)


REGION_11 = figures(
    youths_first_reception=1,
    youths_in_contact=3,
    youths_received=2,
    youths_interviewed=2,  # Y1 once, though two structures interviewed it
    interviews=3,
    youths_with_access=1,
    access_rate=0.5,
    youths_employment=1,
    civis_entries=1,
    civis_exits=1,
    civis_exits_durable_employment=1,
)


REGION_24 = figures(
    youths_in_contact=2,
    youths_received=2,
    youths_interviewed=1,
    interviews=1,
    youths_with_access=1,  # Y2's training counts nowhere here: Y2 was not interviewed in 24
    access_rate=1.0,
    youths_subsidized_or_work_study=1,
)


ML_11_001 = figures(
    youths_first_reception=1,
    youths_in_contact=3,
    youths_received=2,
    youths_interviewed=2,
    interviews=2,
    civis_entries=1,
    civis_exits=1,
    civis_exits_durable_employment=1,
)


ML_11_002 = figures(
    youths_in_contact=1,
    youths_received=1,
    youths_interviewed=1,
    interviews=1,
    youths_with_access=1,
    access_rate=1.0,
    youths_employment=1,
)


PAIO_24_001 = REGION_24
