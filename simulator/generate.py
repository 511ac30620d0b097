"""A realistic year of events, generated youth by youth, with the figures it holds.

``YearSimulation(year, scale, seed, structures)`` streams the events of SPEC §3 as
JSON-ready dicts (``events()``) and, once the stream is exhausted, gives the true
figures of SPEC §4 nationally, per region and per structure (``truth()``).

At ``scale`` f the national figures are exactly the quotas of ``simulator.quotas``
(the 2007 key figures times f); ``simulator.youth`` draws one youth at a time
against what the quotas still need, ``simulator.year_calendar`` spreads the
activity over the open days, and this module gives each youth its structures,
streams its events and tallies the truth.

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
import random
from collections.abc import Iterator, Sequence
from typing import Any

from shared.figures import COUNTED, FACTS, with_derived, youth_figures
from shared.registry import StructureFields, active_in
from shared.scopes import NATIONAL, scope_key
from simulator.cohort import Cohort
from simulator.erroneous import wrong_extra
from simulator.places import Place, Places, Tally
from simulator.quotas import EVENTS_2007, YEARLY_CHANGE, Quotas
from simulator.year_calendar import Calendar
from simulator.youth import EVENT_TYPES, Planned, Remaining, Youth, plan_youth

SECOND_STRUCTURE_SHARE = 0.09  # youths (of two events or more) who move to a second structure
RETRACTED_SHARE = 0.002  # youths with one erroneous event, then retracted
_N_FACTS = len(FACTS)


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
        cohort: Cohort | None = None,
        years_before: int = 0,
    ) -> None:
        self.year = year
        self.scale = scale
        self.seed = seed
        self.until = until
        # One of several consecutive years: its youths come from the cohort of the others,
        # its quotas are those of ``years_before`` years before the last.
        self.cohort = cohort
        self.years_before = years_before
        self.quotas = Quotas.at(scale, years_before)
        self.structures = [(sid, f) for sid, f in structures if active_in(f, year)]
        if not self.structures:
            raise ValueError(f"no structure of the registry is open in {year}")
        self._events_count = 0
        self._finished = False
        self._started = False
        # Per scope: how many youths contributed each distinct vector of COUNTED figures.
        self._tallies: dict[str, Tally] = {NATIONAL: {}}
        for sid, fields in self.structures:
            self._tallies.setdefault(scope_key("region", fields.region), {})
            self._tallies[scope_key("structure", sid)] = {}

    @property
    def estimated_events(self) -> int:
        """About how many events ``events()`` yields (for a progress bar)."""
        total = EVENTS_2007 * self.scale * YEARLY_CHANGE["interviews"] ** self.years_before
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

        def totals(tally: Tally) -> dict[str, int | float]:
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

    def _generate(self) -> Iterator[dict[str, Any]]:
        year, seed = self.year, self.seed
        rng = random.Random(f"bilan-simulate:{year}:{seed}")
        rnd = rng.random
        calendar = Calendar.of(year, self.until)
        n_slots = len(calendar.days)
        places = Places(self.structures, self._tallies, rnd)
        national = self._tallies[NATIONAL]
        cohort = self.cohort
        left = Remaining.of(self.quotas, across_years=cohort is not None)
        n_youths = self.quotas.figures["youths_in_contact"]
        events_count = 0
        if cohort is not None:
            cohort.begin(year)
        for n in range(n_youths):
            youth = plan_youth(rng, year, n_youths - n, left, n_slots)
            if cohort is None:
                stream = _YouthStream(f"Y{year}-{seed}-{n}", f"sim-{year}-{seed}-{n}-", youth)
                stream.place(places, rnd, calendar, year)
            else:
                youth_id, last_at, returning = cohort.identity(youth, n)
                stream = _YouthStream(youth_id, f"{cohort.event_prefix}{year}-{n}-", youth)
                stream.place(places, rnd, calendar, year, places.local.get(last_at or ""))
                cohort.record(returning, youth, stream.second_sid or stream.home_sid)
            yield from stream.events(calendar)
            events_count += stream.emitted
            # The truth: this youth's figures in every scope it has facts in.
            if stream.second is None or not any(stream.second_facts):
                if any(stream.home_facts):
                    figures = youth_figures(stream.home_facts)
                    _, _, structure_tally, region_tally = places.info[stream.home]
                    structure_tally[figures] = structure_tally.get(figures, 0) + 1
                    region_tally[figures] = region_tally.get(figures, 0) + 1
                    national[figures] = national.get(figures, 0) + 1
            else:
                _tally_mover(
                    places.info[stream.home],
                    stream.home_facts,
                    places.info[stream.second],
                    stream.second_facts,
                    national,
                )
        self._events_count = events_count


_NO_MOVE = 1 << 62  # a slot after every slot: the youth never moves


class _YouthStream:
    """One youth's events with their structures, as they are posted, and its facts."""

    def __init__(self, youth_id: str, prefix: str, youth: Youth) -> None:
        self.youth_id, self.prefix, self.youth = youth_id, prefix, youth
        self.home = 0
        self.second: int | None = None
        self.move_slot = _NO_MOVE
        self.home_facts = [0] * _N_FACTS
        self.second_facts = [0] * _N_FACTS
        self.emitted = 0
        self.wrong: tuple[str, int, str | None, Any] | None = None
        self.home_sid = ""
        self.second_sid: str | None = None

    def place(
        self, places: Places, rnd: Any, calendar: Calendar, year: int, home: int | None = None
    ) -> None:
        """Structures: a home (``home``, where the youth was last year, if open) and, for
        movers, a second one from a day of the youth's story on; then maybe an erroneous
        event, later retracted."""
        youth, evs = self.youth, self.youth.events
        self.home = places.home() if home is None else home
        move_at = 0
        if len(evs) > 1 and places.count > 1 and rnd() < SECOND_STRUCTURE_SHARE:
            self.second = places.second(self.home)
            move_at = 1 + int(rnd() * (len(evs) - 1))
        if rnd() < RETRACTED_SHARE:
            wrong_type = EVENT_TYPES[int(rnd() * 7)]
            wrong_slot = youth.start + int(rnd() * youth.width)
            field, value = wrong_extra(wrong_type, rnd, year)
            self.wrong = (wrong_type, wrong_slot, field, value)
        evs.sort(key=_order)
        if self.second is not None:
            # The move happens at the start of a day: a day is spent at one structure.
            self.move_slot = calendar.day_first[evs[move_at].slot]
        self.home_sid = places.info[self.home][0]
        self.second_sid = None if self.second is None else places.info[self.second][0]

    def events(self, calendar: Calendar) -> Iterator[dict[str, Any]]:
        """The youth's events up to the calendar's cut-off, then its retracted one."""
        prefix, youth_id = self.prefix, self.youth_id
        k = 0
        for planned in self.youth.events:
            if planned.slot >= calendar.limit:
                break
            sid: str | None
            if planned.slot < self.move_slot:
                sid = self.home_sid
                self.home_facts[planned.fact] += 1
            else:
                sid = self.second_sid
                self.second_facts[planned.fact] += 1
            event = {
                "event_id": prefix + str(k),
                "type": planned.type,
                "occurred_on": calendar.days[planned.slot],
                "structure_id": sid,
                "youth_id": youth_id,
            }
            if planned.field is not None:
                event[planned.field] = planned.value
            k += 1
            yield event
        self.emitted = k
        if self.wrong is None or self.wrong[1] >= calendar.limit:
            return
        # Numbered past every event of the youth, so that ids do not depend on `until`.
        k = len(self.youth.events)
        wrong_type, wrong_slot, field, value = self.wrong
        sid = self.home_sid if wrong_slot < self.move_slot else self.second_sid
        day = calendar.days[wrong_slot]
        wrong = {
            "event_id": prefix + str(k),
            "type": wrong_type,
            "occurred_on": day,
            "structure_id": sid,
            "youth_id": youth_id,
        }
        if field is not None:
            wrong[field] = value
        yield wrong
        yield {
            "event_id": prefix + str(k + 1),
            "type": "retraction",
            "retracts": prefix + str(k),
            "occurred_on": day,
            "structure_id": sid,
            "youth_id": youth_id,
        }
        self.emitted += 2


def _order(planned: Planned) -> tuple[int, int]:
    return planned.slot, planned.rank


def _tally_mover(
    home: Place,
    home_facts: list[int],
    second: Place,
    second_facts: list[int],
    national: Tally,
) -> None:
    """Tally a youth with events at two structures: distinct within each scope."""

    def add(tally: Tally, facts: list[int]) -> None:
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
