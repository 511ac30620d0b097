"""One simulated youth: which figures it counts in, when it is active, and its events.

Exactness comes from sequential selection sampling (Knuth's algorithm S): each
youth gets a property with probability remaining quota / remaining youths, so the
last youths fill whatever the quota still needs. ``Remaining`` holds what the
quotas still need; ``plan_youth`` draws one youth and takes its share of them.

The draws are made in one fixed order from one generator, so that a seed gives
one stream of events: every change of that order changes the simulated years
(tests/simulator/test_simulator_pinned.py says so).
"""

from __future__ import annotations

import enum
import math
import random
from dataclasses import dataclass
from typing import Any, NamedTuple

from shared.events import EXIT_REASONS, OUTCOME_KINDS
from shared.figures import FACT_INDEX
from simulator.profiles import draw_profile
from simulator.quotas import ACCESS_SETS, Quotas, ScaleTooSmall

_WORKSHOPS_OF_INTERVIEWED = 0.2
_OUTCOME_OF_WORKSHOP_ONLY = 0.25  # outcomes that youths_with_access must not count
_OUTCOME_OF_CONTACT_ONLY = 0.06
_REPEATED_OUTCOME = 0.12  # a second job, a second training...
_CONTACTS_MEAN = 0.95
_CONTACT_ONLY_EXTRA_MEAN = 1.0

# Ranks order a youth's events of the same day plausibly.
RANK = {
    "first_reception": 0,
    "contact": 1,
    "workshop": 2,
    "interview": 3,
    "civis_entry": 4,
    "outcome": 5,
    "civis_exit": 6,
}
EVENT_TYPES = tuple(RANK)
CHANNELS = ("visit",) * 7 + ("phone",) * 8 + ("mail",) * 2 + ("digital",) * 3
LOOSE_OUTCOMES = ("employment",) * 5 + ("subsidized_employment", "work_study") + ("training",) * 3
_SUBSIDIZED_KINDS = ("subsidized_employment", "work_study")

_F_CONTACT = FACT_INDEX["contact"]
_F_FIRST = FACT_INDEX["first_reception"]
_F_INTERVIEW = FACT_INDEX["interview"]
_F_WORKSHOP = FACT_INDEX["workshop"]
_F_ENTRY = FACT_INDEX["civis_entry"]
_F_OUTCOME = {kind: FACT_INDEX[f"outcome_{kind}"] for kind in OUTCOME_KINDS}
_F_EXIT = {reason: FACT_INDEX[f"civis_exit_{reason}"] for reason in EXIT_REASONS}

_LOG_CONTACTS = math.log(_CONTACTS_MEAN / (1 + _CONTACTS_MEAN))
_LOG_CONTACT_ONLY = math.log(_CONTACT_ONLY_EXTRA_MEAN / (1 + _CONTACT_ONLY_EXTRA_MEAN))
_LOG_HALF = math.log(0.5 / 1.5)


class Category(enum.Enum):
    """What a youth does at most: the three nested figures of SPEC §4."""

    INTERVIEWED = "interviewed"  # counted in youths_interviewed (and youths_received)
    WORKSHOP_ONLY = "workshop_only"  # in youths_received, never interviewed
    CONTACT_ONLY = "contact_only"  # in youths_in_contact only


class Planned(NamedTuple):
    """One event of a youth before it has a structure: its slot, its rank within the
    slot's day, its type, its type's own field and value, and the fact it adds."""

    slot: int
    rank: int
    type: str
    field: str | None
    value: Any
    fact: int


@dataclass
class KnownSplit:
    """With earlier years simulated, the quotas split between newcomers (a first reception
    this year) and youths known from before, so that a CIVIS exit without an entry in the
    year goes to a known youth — one who may have entered in an earlier year.

    Newcomers are drawn among the interviewed and among the others in proportion, and CIVIS
    entries among known and newcomer interviewed youths likewise: both counts exact, as
    Knuth's algorithm S needs to know how many candidates are left in each group.
    """

    first_interviewed: int  # newcomers still to draw among the interviewed
    first_others: int  # newcomers still to draw among the others
    entries_known: int  # CIVIS entries still to draw among the known interviewed

    @classmethod
    def of(cls, quotas: Quotas) -> KnownSplit:
        q = quotas.figures
        interviewed, first = q["youths_interviewed"], q["youths_first_reception"]
        first_interviewed = round(first * interviewed / q["youths_in_contact"])
        known = interviewed - first_interviewed
        entries_known = round(q["civis_entries"] * known / interviewed) if interviewed else 0
        exits_others = q["civis_exits"] - quotas.exits_after_entry
        feasible = (
            0 <= first - first_interviewed <= q["youths_in_contact"] - interviewed
            and 0 <= q["civis_entries"] - entries_known <= first_interviewed
            and exits_others <= known - entries_known
        )
        if not feasible:
            raise ScaleTooSmall(
                "the scale is too small to carry youths across years; use a larger one"
            )
        return cls(first_interviewed, first - first_interviewed, entries_known)


@dataclass
class Remaining:
    """What the quotas still need, youth after youth (Knuth's algorithm S)."""

    interviewed: int
    workshop_only: int
    contact_only: int
    first: int
    extra_interviews: int
    access: int
    sets: list[int]
    entries: int
    exits_entrants: int
    exits_others: int
    reasons: list[int]
    known: KnownSplit | None = None  # with earlier years simulated

    @classmethod
    def of(cls, quotas: Quotas, across_years: bool = False) -> Remaining:
        q = quotas.figures
        return cls(
            interviewed=q["youths_interviewed"],
            workshop_only=q["youths_received"] - q["youths_interviewed"],
            contact_only=q["youths_in_contact"] - q["youths_received"],
            first=q["youths_first_reception"],
            extra_interviews=q["interviews"] - q["youths_interviewed"],
            access=q["youths_with_access"],
            sets=[quotas.access_sets[s] for s in ACCESS_SETS],
            entries=q["civis_entries"],
            exits_entrants=quotas.exits_after_entry,
            exits_others=q["civis_exits"] - quotas.exits_after_entry,
            reasons=[q[f"civis_exits_{reason}"] for reason in EXIT_REASONS],
            known=KnownSplit.of(quotas) if across_years else None,
        )


@dataclass
class Youth:
    """A drawn youth: whether it is new to the network, its active slots, its events."""

    first: bool
    start: int
    end: int
    events: list[Planned]

    @property
    def width(self) -> int:
        return self.end - self.start + 1


def _pick(weights: list[int], draw: int) -> int:
    """The index whose cumulated weight holds ``draw`` (0 <= draw < sum of weights)."""
    for j, weight in enumerate(weights):
        if draw < weight:
            return j
        draw -= weight
    return len(weights) - 1


def plan_youth(
    rng: random.Random, year: int, youths_left: int, left: Remaining, n_slots: int
) -> Youth:
    """Draw the next youth (``youths_left`` remain, this one included) and its events."""
    rnd = rng.random
    draw = rng.randrange(youths_left)
    interviewed_before = left.interviewed
    if draw < left.interviewed:
        category = Category.INTERVIEWED
        left.interviewed -= 1
    elif draw < left.interviewed + left.workshop_only:
        category = Category.WORKSHOP_ONLY
        left.workshop_only -= 1
    else:
        category = Category.CONTACT_ONLY
        left.contact_only -= 1
    known = left.known
    newcomers_interviewed = 0 if known is None else known.first_interviewed
    if known is None:
        first = rnd() * youths_left < left.first
    elif category is Category.INTERVIEWED:
        first = rnd() * interviewed_before < known.first_interviewed
        known.first_interviewed -= first
    else:
        first = rnd() * (youths_left - interviewed_before) < known.first_others
        known.first_others -= first
    if first:
        left.first -= 1

    # The youth's active window, in slots. Newcomers arrive any time and stay
    # a while; youths known from earlier years are there from the first weeks
    # and leave along the year: together, activity is spread over the months.
    # Youths only in contact come by briefly.
    if category is Category.CONTACT_ONLY:
        start = int(rnd() * n_slots)
        end = start + int((n_slots - start) * rnd() * 0.3)
    elif first:
        start = int(rnd() * n_slots)
        end = start + int((n_slots - start) * (0.5 + 0.5 * rnd()))
    else:
        start = int(rnd() * rnd() * n_slots * 0.15)
        end = start + int((n_slots - start) * (0.1 + 0.9 * rnd()))
    youth = Youth(first, start, min(end, n_slots - 1), [])

    if first:
        profile = draw_profile(rnd, year)
        field = None if profile is None else "youth"
        youth.events.append(Planned(start, 0, "first_reception", field, profile, _F_FIRST))

    if category is Category.INTERVIEWED:
        _interviewed(rng, youth, left, interviewed_before, newcomers_interviewed)
        contacts = int(math.log(1.0 - rnd()) / _LOG_CONTACTS)
    elif category is Category.WORKSHOP_ONLY:
        _workshops(rnd, youth)
        if rnd() < _OUTCOME_OF_WORKSHOP_ONLY:
            _loose_outcome(rnd, youth)
        contacts = int(math.log(1.0 - rnd()) / _LOG_CONTACTS)
    else:
        if rnd() < _OUTCOME_OF_CONTACT_ONLY:
            _loose_outcome(rnd, youth)
        contacts = 1 + int(math.log(1.0 - rnd()) / _LOG_CONTACT_ONLY)
    for _ in range(contacts):
        channel = CHANNELS[int(rnd() * 20)]
        slot = youth.start + int(rnd() * youth.width)
        youth.events.append(Planned(slot, 1, "contact", "channel", channel, _F_CONTACT))
    return youth


def _workshops(rnd: Any, youth: Youth) -> None:
    for _ in range(1 + int(math.log(1.0 - rnd()) / _LOG_HALF)):
        slot = youth.start + int(rnd() * youth.width)
        youth.events.append(Planned(slot, 2, "workshop", None, None, _F_WORKSHOP))


def _loose_outcome(rnd: Any, youth: Youth) -> None:
    # An outcome without an interview: youths_with_access must not count it.
    kind = LOOSE_OUTCOMES[int(rnd() * 10)]
    slot = youth.start + int(rnd() * youth.width)
    youth.events.append(Planned(slot, 5, "outcome", "outcome", kind, _F_OUTCOME[kind]))


def _interviewed(
    rng: random.Random, youth: Youth, left: Remaining, before: int, newcomers: int = 0
) -> None:
    """Interviews, maybe workshops, outcomes and CIVIS of an interviewed youth.

    ``before`` is how many interviewed youths were left, this one included; with earlier
    years (``left.known``), ``newcomers`` how many of them were to be newcomers.
    """
    rnd = rng.random
    start, end, width = youth.start, youth.end, youth.width
    mean = left.extra_interviews / before
    if before == 1:
        extra = left.extra_interviews
    elif mean > 0:
        extra = min(left.extra_interviews, int(math.log(1.0 - rnd()) / math.log(mean / (1 + mean))))
    else:
        extra = 0
    left.extra_interviews -= extra
    first_interview = end
    for _ in range(1 + extra):
        slot = start + int(rnd() * width)
        first_interview = min(first_interview, slot)
        youth.events.append(Planned(slot, 3, "interview", None, None, _F_INTERVIEW))
    after = end - first_interview + 1

    if rnd() < _WORKSHOPS_OF_INTERVIEWED:
        _workshops(rnd, youth)

    if rnd() * before < left.access:
        j = _pick(left.sets, rng.randrange(left.access))
        left.access -= 1
        left.sets[j] -= 1
        kinds = []
        for letter in ACCESS_SETS[j]:
            if letter == "E":
                kinds.append("employment")
            elif letter == "T":
                kinds.append("training")
            else:
                kinds.append(_SUBSIDIZED_KINDS[int(rnd() * 2)])
        if rnd() < _REPEATED_OUTCOME:
            kinds.append(kinds[int(rnd() * len(kinds))])
        for kind in kinds:
            slot = first_interview + int(rnd() * after)
            youth.events.append(Planned(slot, 5, "outcome", "outcome", kind, _F_OUTCOME[kind]))

    entrants_left = left.entries
    others_left = before - left.entries
    # Who may enter CIVIS: any interviewed youth; with earlier years, one of the youth's
    # group (newcomers or known), and only a known youth leaves without entering this year.
    group, group_entries = before, left.entries
    known = left.known
    if known is not None:
        if youth.first:
            group, group_entries = newcomers, left.entries - known.entries_known
        else:
            group, group_entries = before - newcomers, known.entries_known
        others_left = 0 if youth.first else group - known.entries_known
    entry_slot = -1
    if rnd() * group < group_entries:
        left.entries -= 1
        if known is not None and not youth.first:
            known.entries_known -= 1
        entry_slot = first_interview + int(rnd() * after)
        youth.events.append(Planned(entry_slot, 4, "civis_entry", None, None, _F_ENTRY))
        exits = rnd() * entrants_left < left.exits_entrants
        if exits:
            left.exits_entrants -= 1
    elif others_left > 0:
        exits = rnd() * others_left < left.exits_others
        if exits:
            left.exits_others -= 1
    else:
        exits = False
    if exits:
        j = _pick(left.reasons, rng.randrange(sum(left.reasons)))
        left.reasons[j] -= 1
        reason = EXIT_REASONS[j]
        if entry_slot >= 0:
            slot = entry_slot + int(rnd() * (end - entry_slot + 1))
        else:
            slot = start + int(rnd() * width)
        youth.events.append(Planned(slot, 6, "civis_exit", "exit_reason", reason, _F_EXIT[reason]))
