"""A realistic year of events, generated youth by youth, with the figures it holds.

``YearSimulation(year, scale, seed, structures)`` streams the events of SPEC §3 as
JSON-ready dicts (``events()``) and, once the stream is exhausted, gives the true
figures of SPEC §4 nationally, per region and per structure (``truth()``).

At ``scale`` f the national figures are exactly ``round(value * f)`` of the 2007
key figures (``KEY_FIGURES_2007``), except the four CIVIS exit reasons: each youth
leaves CIVIS once, so their quotas are the rounded exits apportioned by largest
remainder (each within one of ``value * f``). Exactness while streaming comes
from sequential selection sampling (Knuth's algorithm S): each youth gets a
property with probability remaining quota / remaining youths, so the last youths
fill whatever the quota still needs.

Youths are drawn one at a time and forgotten once their events are out: memory
holds only the truth accumulators (a count per distinct figure vector per scope).
The truth applies ``shared.figures.youth_figures`` to each youth's facts in each
scope, the same definition the live counters and the recomputation use.

With ``until`` the same stream is generated and cut: events after that day are
dropped (a retraction goes with its target, they share a day). The truth then
counts what was kept, and the 2007 quotas no longer hold (fewer youths, fewer
interviews). This is what the live demo does for the current year.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from shared.events import EXIT_REASONS, OUTCOME_KINDS
from shared.figures import COUNTED, FACT_INDEX, FACTS, with_derived, youth_figures
from shared.registry import StructureFields
from shared.scopes import NATIONAL, scope_key

# The key figures of the 2007 national report (SPEC §4, first table).
KEY_FIGURES_2007: dict[str, int] = {
    "youths_first_reception": 452_000,
    "youths_in_contact": 1_130_000,
    "youths_received": 1_005_000,
    "youths_interviewed": 995_800,
    "interviews": 3_600_000,
    "youths_with_access": 481_000,
    "youths_employment": 296_600,
    "youths_subsidized_or_work_study": 79_800,
    "youths_training": 191_900,
    "civis_entries": 174_184,
    "civis_exits": 148_856,
    "civis_exits_durable_employment": 59_849,
    "civis_exits_non_durable_employment": 10_909,
    "civis_exits_training": 8_929,
    "civis_exits_other": 69_169,
}
EVENTS_2007 = 6_500_000  # about; contacts fill what the counted figures leave

# Youths with access and more than one kind of outcome in 2007 (employment,
# subsidized or work-study, training) sum the kind figures beyond 481 000: 87 300.
# The report does not split the overlap; this split of it is ours.
_ACCESS_TRIPLE_2007 = 3_000
_ACCESS_PAIRS_2007 = {"ES": 16_300, "ST": 10_000, "ET": 55_000}
_CIVIS_EXITS_AFTER_ENTRY_SAME_YEAR = 0.35  # the others entered CIVIS in a previous year

SECOND_STRUCTURE_SHARE = 0.09  # youths (of two events or more) who move to a second structure
SECOND_REGION_SHARE = 0.15  # of those, the ones who move to another region
RETRACTED_SHARE = 0.002  # youths with one erroneous event, then retracted
_WORKSHOPS_OF_INTERVIEWED = 0.2
_OUTCOME_OF_WORKSHOP_ONLY = 0.25  # outcomes that youths_with_access must not count
_OUTCOME_OF_CONTACT_ONLY = 0.06
_REPEATED_OUTCOME = 0.12  # a second job, a second training...
_CONTACTS_MEAN = 0.95
_CONTACT_ONLY_EXTRA_MEAN = 1.0
_MISSION_LOCALE_WEIGHT = 1.0
_PAIO_WEIGHT = 0.35

# Activity per month (January..December): quieter in summer and at Christmas,
# busiest at the start of the school year.
_MONTH_WEIGHTS = (4, 4, 4, 4, 4, 4, 3, 2, 5, 5, 4, 3)

# Ranks order a youth's events of the same day plausibly.
_RANK = {
    "first_reception": 0,
    "contact": 1,
    "workshop": 2,
    "interview": 3,
    "civis_entry": 4,
    "outcome": 5,
    "civis_exit": 6,
}
_EVENT_TYPES = tuple(_RANK)
_CHANNELS = ("visit",) * 7 + ("phone",) * 8 + ("mail",) * 2 + ("digital",) * 3
_EDUCATION = ("VI",) * 2 + ("Vbis",) * 3 + ("V",) * 8 + ("IV",) * 5 + ("III+",) * 2
_AGE_WEIGHTS = (2, 6, 10, 13, 14, 13, 12, 11, 10, 9)  # ages 16 to 25
_AGES = tuple(age for age, w in zip(range(16, 26), _AGE_WEIGHTS, strict=True) for _ in range(w))
_LOOSE_OUTCOMES = ("employment",) * 5 + ("subsidized_employment", "work_study") + ("training",) * 3
_SUBSIDIZED_KINDS = ("subsidized_employment", "work_study")

_F_CONTACT = FACT_INDEX["contact"]
_F_FIRST = FACT_INDEX["first_reception"]
_F_INTERVIEW = FACT_INDEX["interview"]
_F_WORKSHOP = FACT_INDEX["workshop"]
_F_ENTRY = FACT_INDEX["civis_entry"]
_F_OUTCOME = {kind: FACT_INDEX[f"outcome_{kind}"] for kind in OUTCOME_KINDS}
_F_EXIT = {reason: FACT_INDEX[f"civis_exit_{reason}"] for reason in EXIT_REASONS}
_N_FACTS = len(FACTS)

# Access kind sets: E employment, S subsidized or work-study, T training.
_ACCESS_SETS = ("E", "S", "T", "ES", "ET", "ST", "EST")


class ScaleTooSmall(ValueError):
    """The scale leaves too few youths to keep the 2007 proportions exactly."""


@dataclass(frozen=True)
class Quotas:
    """The exact national targets at one scale, and the splits that reach them."""

    scale: float
    figures: dict[str, int]  # every COUNTED key
    access_sets: dict[str, int]  # youths with access per kind set
    exits_after_entry: int  # civis exits among the year's entrants

    @classmethod
    def at(cls, scale: float) -> Quotas:
        if not scale > 0:
            raise ScaleTooSmall(f"scale must be positive, got {scale}")
        figures = {key: round(value * scale) for key, value in KEY_FIGURES_2007.items()}
        reasons = [f"civis_exits_{reason}" for reason in EXIT_REASONS]
        figures.update(
            _apportion(figures["civis_exits"], {k: KEY_FIGURES_2007[k] for k in reasons})
        )

        access = figures["youths_with_access"]
        employment = figures["youths_employment"]
        subsidized = figures["youths_subsidized_or_work_study"]
        training = figures["youths_training"]
        overlap = employment + subsidized + training - access
        triples = max(0, min(round(_ACCESS_TRIPLE_2007 * scale), overlap // 2))
        pairs = overlap - 2 * triples
        pair_total = sum(_ACCESS_PAIRS_2007.values())
        es = round(pairs * _ACCESS_PAIRS_2007["ES"] / pair_total)
        st = round(pairs * _ACCESS_PAIRS_2007["ST"] / pair_total)
        et = pairs - es - st
        sets = {
            "E": employment - et - es - triples,
            "S": subsidized - es - st - triples,
            "T": training - et - st - triples,
            "ES": es,
            "ET": et,
            "ST": st,
            "EST": triples,
        }
        after_entry = min(
            figures["civis_entries"],
            round(figures["civis_exits"] * _CIVIS_EXITS_AFTER_ENTRY_SAME_YEAR),
        )
        quotas = cls(scale, figures, sets, after_entry)
        quotas._check()
        return quotas

    def _check(self) -> None:
        f = self.figures
        interviewed = f["youths_interviewed"]
        feasible = (
            0 <= interviewed <= f["youths_received"] <= f["youths_in_contact"]
            and f["youths_first_reception"] <= f["youths_in_contact"]
            and f["interviews"] >= interviewed
            and f["youths_with_access"] <= interviewed
            and min(self.access_sets.values()) >= 0
            and f["civis_entries"] <= interviewed
            and f["civis_exits"] <= interviewed
            and 0 <= self.exits_after_entry <= f["civis_entries"]
            and f["civis_exits"] - self.exits_after_entry <= interviewed - f["civis_entries"]
        )
        if not feasible:
            raise ScaleTooSmall(
                f"scale {self.scale} is too small to keep the 2007 proportions exactly; "
                "use a scale of at least 0.0001"
            )


def _apportion(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Split ``total`` in proportion to ``weights`` by largest remainder (ties by key)."""
    weight_sum = sum(weights.values())
    shares = {k: total * w / weight_sum for k, w in weights.items()}
    counts = {k: int(s) for k, s in shares.items()}
    leftover = total - sum(counts.values())
    for k in sorted(shares, key=lambda k: (-(shares[k] - counts[k]), k))[:leftover]:
        counts[k] += 1
    return counts


def _french_holidays(year: int) -> set[dt.date]:
    """Public holidays: offices are closed, nothing is recorded."""
    # Easter Sunday (anonymous Gregorian algorithm).
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * el) // 433
    month = (h + el - 7 * m + 90) // 25
    easter = dt.date(year, month, (h + el - 7 * m + 33 * month + 19) % 32)
    fixed = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]
    movable = [easter + dt.timedelta(days=n) for n in (1, 39, 50)]
    return {dt.date(year, mm, dd) for mm, dd in fixed} | set(movable)


def _active(fields: StructureFields, year: int) -> bool:
    opened = fields.opened_on is None or fields.opened_on <= dt.date(year, 12, 31)
    open_still = fields.closed_on is None or fields.closed_on >= dt.date(year, 1, 1)
    return opened and open_still


class YearSimulation:
    """One simulated year: ``events()`` streams it once, then ``truth()`` holds its figures.

    Deterministic for (year, scale, seed, structures): the same arguments give the
    same events, ids and truth. ``until`` cuts the same stream after that day.
    """

    def __init__(
        self,
        year: int,
        scale: float,
        seed: int,
        structures: Sequence[tuple[str, StructureFields]],
        until: dt.date | None = None,
    ) -> None:
        self.year = year
        self.scale = scale
        self.seed = seed
        self.until = until
        self.quotas = Quotas.at(scale)
        self.structures = [(sid, f) for sid, f in structures if _active(f, year)]
        if not self.structures:
            raise ValueError(f"no structure of the registry is open in {year}")
        self._events_count = 0
        self._finished = False
        self._started = False
        # Per scope: how many youths contributed each distinct vector of COUNTED figures.
        self._tallies: dict[str, dict[tuple[int, ...], int]] = {NATIONAL: {}}
        for sid, fields in self.structures:
            self._tallies.setdefault(scope_key("region", fields.region), {})
            self._tallies[scope_key("structure", sid)] = {}

    @property
    def estimated_events(self) -> int:
        """About how many events ``events()`` yields (for a progress bar)."""
        total = EVENTS_2007 * self.scale
        if self.until is not None:
            year_start, year_end = dt.date(self.year, 1, 1), dt.date(self.year, 12, 31)
            share = ((min(self.until, year_end) - year_start).days + 1) / (
                (year_end - year_start).days + 1
            )
            total *= max(0.0, share)
        return round(total)

    def events(self) -> Iterator[dict[str, Any]]:
        """The events of the year, youth by youth, each youth's in date order."""
        if self._started:
            raise RuntimeError("a YearSimulation streams its events once")
        self._started = True
        yield from self._generate()
        self._finished = True

    def truth(self) -> dict[str, Any]:
        """The true figures of what ``events()`` yielded (SPEC §4 keys per scope)."""
        if not self._finished:
            raise RuntimeError("truth() is known once events() has been exhausted")

        def totals(tally: dict[tuple[int, ...], int]) -> dict[str, int | float]:
            sums = [0] * len(COUNTED)
            for figures, youths in tally.items():
                for i, value in enumerate(figures):
                    sums[i] += value * youths
            return with_derived(dict(zip(COUNTED, sums, strict=True)))

        regions: dict[str, Any] = {}
        structures: dict[str, Any] = {}
        for key, tally in self._tallies.items():
            if key == NATIONAL:
                continue
            level, _, scope_id = key.partition(":")
            (regions if level == "region" else structures)[scope_id] = totals(tally)
        return {
            "year": self.year,
            "scale": self.scale,
            "seed": self.seed,
            "events": self._events_count,
            "national": totals(self._tallies[NATIONAL]),
            "regions": dict(sorted(regions.items())),
            "structures": dict(sorted(structures.items())),
        }

    # -- generation -------------------------------------------------------------

    def _calendar(self) -> tuple[list[str], list[int], int]:
        """(ISO day of each activity slot, first slot of each slot's day, slots up to ``until``).

        A slot is one unit of activity: an open day has as many slots as its
        month's weight, so uniform draws over slots follow the seasonality.
        """
        holidays = _french_holidays(self.year)
        day = dt.date(self.year, 1, 1)
        slots: list[str] = []
        day_first: list[int] = []
        limit = None
        while day.year == self.year:
            if self.until is not None and limit is None and day > self.until:
                limit = len(slots)
            if day.weekday() < 5 and day not in holidays:
                weight = _MONTH_WEIGHTS[day.month - 1]
                day_first.extend([len(slots)] * weight)
                slots.extend([day.isoformat()] * weight)
            day += dt.timedelta(days=1)
        return slots, day_first, len(slots) if limit is None else limit

    def _generate(self) -> Iterator[dict[str, Any]]:
        year, seed = self.year, self.seed
        rng = random.Random(f"bilan-simulate:{year}:{seed}")
        rnd = rng.random
        randrange = rng.randrange
        log = math.log
        slots, day_first, limit = self._calendar()
        n_slots = len(slots)

        # Structures: weighted draws, and the same-region draws of movers.
        tallies = self._tallies
        national = tallies[NATIONAL]
        info = []  # (structure_id, region, structure tally, region tally)
        weights = []
        for sid, fields in self.structures:
            size = random.Random(f"size:{sid}").lognormvariate(0.0, 0.45)
            base = _MISSION_LOCALE_WEIGHT if fields.kind == "mission_locale" else _PAIO_WEIGHT
            weights.append(base * size)
            region_key = scope_key("region", fields.region)
            info.append(
                (sid, fields.region, tallies[scope_key("structure", sid)], tallies[region_key])
            )
        cumulative = _cumulate(weights)
        by_region: dict[str, tuple[list[int], list[float]]] = {}
        for index, (_, region, _, _) in enumerate(info):
            members, _ = by_region.setdefault(region, ([], []))
            members.append(index)
        for members, cum in by_region.values():
            cum.extend(_cumulate([weights[i] for i in members]))
        n_structures = len(info)

        def pick(cum: list[float]) -> int:
            return min(bisect_right(cum, rnd() * cum[-1]), len(cum) - 1)

        q = self.quotas.figures
        n_youths = q["youths_in_contact"]
        left_interviewed = q["youths_interviewed"]
        left_workshop_only = q["youths_received"] - left_interviewed
        left_contact_only = n_youths - q["youths_received"]
        left_first = q["youths_first_reception"]
        left_extra_interviews = q["interviews"] - left_interviewed
        left_access = q["youths_with_access"]
        left_sets = [self.quotas.access_sets[s] for s in _ACCESS_SETS]
        left_entries = q["civis_entries"]
        left_exits_entrants = self.quotas.exits_after_entry
        left_exits_others = q["civis_exits"] - left_exits_entrants
        left_reasons = [q[f"civis_exits_{reason}"] for reason in EXIT_REASONS]

        log_contacts = log(_CONTACTS_MEAN / (1 + _CONTACTS_MEAN))
        log_contact_only = log(_CONTACT_ONLY_EXTRA_MEAN / (1 + _CONTACT_ONLY_EXTRA_MEAN))
        log_half = log(0.5 / 1.5)
        n_access_sets = len(_ACCESS_SETS)
        ages, n_ages = _AGES, len(_AGES)
        events_count = 0

        for n in range(n_youths):
            left_youths = n_youths - n
            youth_id = f"Y{year}-{seed}-{n}"
            prefix = f"sim-{year}-{seed}-{n}-"

            draw = randrange(left_youths)
            if draw < left_interviewed:
                category = 0
                left_interviewed_before = left_interviewed
                left_interviewed -= 1
            elif draw < left_interviewed + left_workshop_only:
                category = 1
                left_workshop_only -= 1
            else:
                category = 2
                left_contact_only -= 1
            first = rnd() * left_youths < left_first
            if first:
                left_first -= 1

            # The youth's active window, in slots. Newcomers arrive any time and stay
            # a while; youths known from earlier years are there from the first weeks
            # and leave along the year: together, activity is spread over the months.
            # Youths only in contact come by briefly.
            if category == 2:
                start = int(rnd() * n_slots)
                end = start + int((n_slots - start) * rnd() * 0.3)
            elif first:
                start = int(rnd() * n_slots)
                end = start + int((n_slots - start) * (0.5 + 0.5 * rnd()))
            else:
                start = int(rnd() * rnd() * n_slots * 0.15)
                end = start + int((n_slots - start) * (0.1 + 0.9 * rnd()))
            end = min(end, n_slots - 1)
            width = end - start + 1

            # Events as (order, type, extra field, extra value, fact index).
            evs: list[tuple[int, str, str | None, Any, int]] = []
            if first:
                profile = {
                    "sex": "F" if rnd() < 0.51 else "M",
                    "birth_year": year - ages[int(rnd() * n_ages)],
                    "education_level": _EDUCATION[int(rnd() * 20)],
                }
                evs.append((start * 8, "first_reception", "youth", profile, _F_FIRST))

            if category == 0:
                mean = left_extra_interviews / left_interviewed_before
                if left_interviewed_before == 1:
                    extra = left_extra_interviews
                elif mean > 0:
                    extra = min(
                        left_extra_interviews, int(log(1.0 - rnd()) / log(mean / (1 + mean)))
                    )
                else:
                    extra = 0
                left_extra_interviews -= extra
                first_interview = end
                for _ in range(1 + extra):
                    slot = start + int(rnd() * width)
                    first_interview = min(first_interview, slot)
                    evs.append((slot * 8 + 3, "interview", None, None, _F_INTERVIEW))
                after = end - first_interview + 1

                if rnd() < _WORKSHOPS_OF_INTERVIEWED:
                    for _ in range(1 + int(log(1.0 - rnd()) / log_half)):
                        evs.append(
                            (
                                (start + int(rnd() * width)) * 8 + 2,
                                "workshop",
                                None,
                                None,
                                _F_WORKSHOP,
                            )
                        )

                if rnd() * left_interviewed_before < left_access:
                    draw = randrange(left_access)
                    left_access -= 1
                    for j in range(n_access_sets):
                        if draw < left_sets[j]:
                            break
                        draw -= left_sets[j]
                    left_sets[j] -= 1
                    kinds = []
                    for letter in _ACCESS_SETS[j]:
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
                        evs.append((slot * 8 + 5, "outcome", "outcome", kind, _F_OUTCOME[kind]))

                entrants_left = left_entries
                others_left = left_interviewed_before - left_entries
                entry_slot = -1
                if rnd() * left_interviewed_before < left_entries:
                    left_entries -= 1
                    entry_slot = first_interview + int(rnd() * after)
                    evs.append((entry_slot * 8 + 4, "civis_entry", None, None, _F_ENTRY))
                    exits = rnd() * entrants_left < left_exits_entrants
                    if exits:
                        left_exits_entrants -= 1
                elif others_left > 0:
                    exits = rnd() * others_left < left_exits_others
                    if exits:
                        left_exits_others -= 1
                else:
                    exits = False
                if exits:
                    draw = randrange(sum(left_reasons))
                    for j in range(4):
                        if draw < left_reasons[j]:
                            break
                        draw -= left_reasons[j]
                    left_reasons[j] -= 1
                    reason = EXIT_REASONS[j]
                    if entry_slot >= 0:
                        slot = entry_slot + int(rnd() * (end - entry_slot + 1))
                    else:
                        slot = start + int(rnd() * width)
                    evs.append((slot * 8 + 6, "civis_exit", "exit_reason", reason, _F_EXIT[reason]))
                contacts = int(log(1.0 - rnd()) / log_contacts)
            elif category == 1:
                for _ in range(1 + int(log(1.0 - rnd()) / log_half)):
                    evs.append(
                        ((start + int(rnd() * width)) * 8 + 2, "workshop", None, None, _F_WORKSHOP)
                    )
                if rnd() < _OUTCOME_OF_WORKSHOP_ONLY:
                    kind = _LOOSE_OUTCOMES[int(rnd() * 10)]
                    slot = start + int(rnd() * width)
                    evs.append((slot * 8 + 5, "outcome", "outcome", kind, _F_OUTCOME[kind]))
                contacts = int(log(1.0 - rnd()) / log_contacts)
            else:
                if rnd() < _OUTCOME_OF_CONTACT_ONLY:
                    kind = _LOOSE_OUTCOMES[int(rnd() * 10)]
                    slot = start + int(rnd() * width)
                    evs.append((slot * 8 + 5, "outcome", "outcome", kind, _F_OUTCOME[kind]))
                contacts = 1 + int(log(1.0 - rnd()) / log_contact_only)
            for _ in range(contacts):
                channel = _CHANNELS[int(rnd() * 20)]
                evs.append(
                    (
                        (start + int(rnd() * width)) * 8 + 1,
                        "contact",
                        "channel",
                        channel,
                        _F_CONTACT,
                    )
                )

            # Structures: a home and, for movers, a second one from a day of the
            # youth's story on (mostly in the same region).
            home = pick(cumulative) if n_structures > 1 else 0
            second = -1
            if len(evs) > 1 and n_structures > 1 and rnd() < SECOND_STRUCTURE_SHARE:
                members, cum = by_region[info[home][1]]
                if len(members) > 1 and rnd() >= SECOND_REGION_SHARE:
                    second = members[pick(cum)]
                    while second == home:
                        second = members[pick(cum)]
                else:
                    second = pick(cumulative)
                    while second == home:
                        second = pick(cumulative)
                move_at = 1 + int(rnd() * (len(evs) - 1))

            erroneous = rnd() < RETRACTED_SHARE
            if erroneous:
                wrong_type = _EVENT_TYPES[int(rnd() * 7)]
                wrong_slot = start + int(rnd() * width)
                wrong_field, wrong_value = _wrong_extra(wrong_type, rnd, year)

            evs.sort(key=_order)
            # The move happens at the start of a day: a day is spent at one structure.
            move_order = day_first[evs[move_at][0] >> 3] * 8 if second >= 0 else 1 << 62
            home_sid = info[home][0]
            second_sid = info[second][0] if second >= 0 else None
            home_facts = [0] * _N_FACTS
            second_facts = [0] * _N_FACTS
            limit_order = limit * 8
            k = 0
            for order, etype, field, value, fact in evs:
                if order >= limit_order:
                    break
                if order < move_order:
                    sid = home_sid
                    home_facts[fact] += 1
                else:
                    sid = second_sid
                    second_facts[fact] += 1
                event = {
                    "event_id": prefix + str(k),
                    "type": etype,
                    "occurred_on": slots[order >> 3],
                    "structure_id": sid,
                    "youth_id": youth_id,
                }
                if field is not None:
                    event[field] = value
                k += 1
                yield event
            events_count += k
            # Numbered past every event of the youth, so that ids do not depend on `until`.
            k = len(evs)
            if erroneous and wrong_slot < limit:
                sid = home_sid if wrong_slot * 8 < move_order else second_sid
                day = slots[wrong_slot]
                wrong = {
                    "event_id": prefix + str(k),
                    "type": wrong_type,
                    "occurred_on": day,
                    "structure_id": sid,
                    "youth_id": youth_id,
                }
                if wrong_field is not None:
                    wrong[wrong_field] = wrong_value
                yield wrong
                yield {
                    "event_id": prefix + str(k + 1),
                    "type": "retraction",
                    "retracts": prefix + str(k),
                    "occurred_on": day,
                    "structure_id": sid,
                    "youth_id": youth_id,
                }
                events_count += 2

            # The truth: this youth's figures in every scope it has facts in.
            if second_sid is None or not any(second_facts):
                if any(home_facts):
                    figures = youth_figures(home_facts)
                    _, _, structure_tally, region_tally = info[home]
                    structure_tally[figures] = structure_tally.get(figures, 0) + 1
                    region_tally[figures] = region_tally.get(figures, 0) + 1
                    national[figures] = national.get(figures, 0) + 1
            else:
                _tally_mover(info[home], home_facts, info[second], second_facts, national)

        self._events_count = events_count


def _order(ev: tuple[int, str, str | None, Any, int]) -> int:
    return ev[0]


def _cumulate(weights: list[float]) -> list[float]:
    total = 0.0
    out = []
    for w in weights:
        total += w
        out.append(total)
    return out


def _wrong_extra(event_type: str, rnd: Any, year: int) -> tuple[str | None, Any]:
    """The type-specific field of an erroneous event (later retracted)."""
    if event_type == "outcome":
        return "outcome", _LOOSE_OUTCOMES[int(rnd() * 10)]
    if event_type == "civis_exit":
        return "exit_reason", EXIT_REASONS[int(rnd() * 4)]
    if event_type == "contact":
        return "channel", _CHANNELS[int(rnd() * 20)]
    if event_type == "first_reception":
        age = _AGES[int(rnd() * len(_AGES))]
        return "youth", {
            "sex": "M" if rnd() < 0.5 else "F",
            "birth_year": year - age,
            "education_level": _EDUCATION[int(rnd() * 20)],
        }
    return None, None


def _tally_mover(
    home: tuple[str, str, dict, dict],
    home_facts: list[int],
    second: tuple[str, str, dict, dict],
    second_facts: list[int],
    national: dict[tuple[int, ...], int],
) -> None:
    """Tally a youth with events at two structures: distinct within each scope."""

    def add(tally: dict[tuple[int, ...], int], facts: list[int]) -> None:
        if any(facts):
            figures = youth_figures(facts)
            tally[figures] = tally.get(figures, 0) + 1

    both = [a + b for a, b in zip(home_facts, second_facts, strict=True)]
    add(home[2], home_facts)
    add(second[2], second_facts)
    if home[1] == second[1]:
        add(home[3], both)
    else:
        add(home[3], home_facts)
        add(second[3], second_facts)
    add(national, both)
