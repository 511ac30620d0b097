"""The event figures of SPEC §4 (first table): their one definition.

A youth's *facts* in a (period, scope) are reference counts, one per kind of
event (``interview``, ``outcome_training``…). A figure is a function of those
facts, summed over youths: a distinct-youth figure gives 0 or 1 per youth, an
event-count figure gives the count. The live counters apply the difference of
``youth_figures`` before and after each change of facts; the recomputation sums
``youth_figures`` over the event log. Both therefore share this definition.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cache

# One fact per kind of event that a figure can tell apart. Retractions are not facts.
FACTS: tuple[str, ...] = (
    "first_reception",
    "contact",
    "interview",
    "workshop",
    "outcome_employment",
    "outcome_subsidized_employment",
    "outcome_work_study",
    "outcome_training",
    "civis_entry",
    "civis_exit_durable_employment",
    "civis_exit_non_durable_employment",
    "civis_exit_training",
    "civis_exit_other",
)
FACT_INDEX: dict[str, int] = {name: i for i, name in enumerate(FACTS)}

# The figure keys of SPEC §4 (first table) in its order, by the report's three blocks.
YOUTH_KEYS: tuple[str, ...] = (
    "youths_first_reception",
    "youths_in_contact",
    "youths_received",
    "youths_interviewed",
    "interviews",
)
ACCESS_KEYS: tuple[str, ...] = (
    "youths_with_access",
    "access_rate",
    "youths_employment",
    "youths_subsidized_or_work_study",
    "youths_training",
)
CIVIS_KEYS: tuple[str, ...] = (
    "civis_entries",
    "civis_exits",
    "civis_exits_durable_employment",
    "civis_exits_non_durable_employment",
    "civis_exits_training",
    "civis_exits_other",
)
FIGURE_KEYS: tuple[str, ...] = (*YOUTH_KEYS, *ACCESS_KEYS, *CIVIS_KEYS)
# Figures that are sums over youths; access_rate is derived from them when read.
COUNTED: tuple[str, ...] = tuple(key for key in FIGURE_KEYS if key != "access_rate")

_F = FACT_INDEX


def fact_of(event_type: str, outcome: str | None = None, exit_reason: str | None = None) -> str:
    """The fact an event adds to its youth (not defined for retractions)."""
    if event_type == "outcome":
        return f"outcome_{outcome}"
    if event_type == "civis_exit":
        return f"civis_exit_{exit_reason}"
    if event_type == "retraction":
        raise ValueError("a retraction adds no fact")
    return event_type


def youth_figures(facts: Sequence[int]) -> tuple[int, ...]:
    """What one youth contributes to each COUNTED figure, given its facts in a period and scope."""
    interviewed = facts[_F["interview"]] > 0
    employment = interviewed and facts[_F["outcome_employment"]] > 0
    subsidized = interviewed and (
        facts[_F["outcome_subsidized_employment"]] > 0 or facts[_F["outcome_work_study"]] > 0
    )
    training = interviewed and facts[_F["outcome_training"]] > 0
    durable = facts[_F["civis_exit_durable_employment"]] > 0
    non_durable = facts[_F["civis_exit_non_durable_employment"]] > 0
    exit_training = facts[_F["civis_exit_training"]] > 0
    exit_other = facts[_F["civis_exit_other"]] > 0
    return (
        int(facts[_F["first_reception"]] > 0),
        int(any(facts)),
        int(interviewed or facts[_F["workshop"]] > 0),
        int(interviewed),
        facts[_F["interview"]],
        int(employment or subsidized or training),
        int(employment),
        int(subsidized),
        int(training),
        int(facts[_F["civis_entry"]] > 0),
        int(durable or non_durable or exit_training or exit_other),
        int(durable),
        int(non_durable),
        int(exit_training),
        int(exit_other),
    )


NO_FACTS: tuple[int, ...] = (0,) * len(FACTS)


def figures_delta(before: Sequence[int], after: Sequence[int]) -> tuple[int, ...]:
    """How the COUNTED figures move when a youth's facts change from ``before`` to ``after``."""
    old = youth_figures(before)
    new = youth_figures(after)
    return tuple(n - o for n, o in zip(new, old, strict=True))


# The rates derived from the COUNTED figures, each with its denominator: SPEC §4 gives a rate
# 0 when its denominator is, but the pages and their CSV say "n.d." (it does not exist).
RATES: dict[str, str] = {"access_rate": "youths_interviewed"}


def rate_undefined(values: Mapping[str, int | float | None], key: str) -> bool:
    """Whether ``key`` is a rate whose denominator is zero in ``values`` (not unknown)."""
    denominator = RATES.get(key)
    return denominator is not None and values.get(denominator) == 0


def with_derived(counted: Mapping[str, int]) -> dict[str, int | float]:
    """All figure keys of SPEC §4 (first table), from the COUNTED totals."""
    totals = {key: int(counted.get(key, 0)) for key in COUNTED}
    interviewed = totals["youths_interviewed"]
    rate = totals["youths_with_access"] / interviewed if interviewed else 0.0
    values: dict[str, int | float] = dict(totals)
    values["access_rate"] = rate
    return {key: values[key] for key in FIGURE_KEYS}


def sum_youth_figures(youth_facts: Iterable[Sequence[int]]) -> dict[str, int]:
    """The COUNTED totals of a set of youths, each given by its facts."""
    totals = [0] * len(COUNTED)
    for facts in youth_facts:
        for i, value in enumerate(youth_figures(facts)):
            totals[i] += value
    return dict(zip(COUNTED, totals, strict=True))


# The COUNTED figures that count events rather than youths, each with the fact it counts.
EVENT_COUNTS: dict[str, str] = {"interviews": "interview"}


@cache  # few masks occur: a national year has hundreds of thousands of (cell, mask) rows
def figures_of_mask(mask: int) -> tuple[tuple[int, int], ...]:
    """What one youth adds to the COUNTED figures that count youths, given the bitmask of
    the facts it has (bit i for FACTS[i]): the (index in COUNTED, value) of each non-zero
    one. The EVENT_COUNTS figures count events, not youths: see EVENT_COUNT_INDEX.

    Since ``youth_figures`` only asks whether a fact is present, except for the
    EVENT_COUNTS figures, youths with the same mask add the same figures: the live
    counters and the recomputation both add youths by mask, and the event counts apart.
    """
    figures = youth_figures(tuple((mask >> i) & 1 for i in range(len(FACTS))))
    return tuple((i, figures[i]) for i in _PER_YOUTH if figures[i])


_PER_EVENT: tuple[tuple[int, str], ...] = tuple(
    (i, EVENT_COUNTS[key]) for i, key in enumerate(COUNTED) if key in EVENT_COUNTS
)
_PER_YOUTH: tuple[int, ...] = tuple(i for i, key in enumerate(COUNTED) if key not in EVENT_COUNTS)
# For each fact of EVENT_COUNTS, the index in COUNTED of the figure that counts its events.
EVENT_COUNT_INDEX: dict[str, int] = {fact: i for i, fact in _PER_EVENT}
