"""Where simulated youths are met: the structures, drawn in proportion to their kind and size,
and a second structure for the youths who move — mostly in their region."""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

from shared.registry import StructureFields
from shared.scopes import scope_key

SECOND_REGION_SHARE = 0.15  # of the youths who move, the ones who move to another region
MISSION_LOCALE_WEIGHT = 1.0
PAIO_WEIGHT = 0.35

# Per distinct vector of COUNTED figures, how many youths contributed it.
Tally = dict[tuple[int, ...], int]
# A structure youths go to: its id, its region, its tally and its region's.
Place = tuple[str, str, Tally, Tally]


def cumulate(weights: list[float]) -> list[float]:
    """The running sums of ``weights``: what a weighted draw bisects."""
    total = 0.0
    out = []
    for w in weights:
        total += w
        out.append(total)
    return out


class Places:
    """The structures youths are drawn to: weighted, and by region for movers."""

    def __init__(
        self,
        structures: Sequence[tuple[str, StructureFields]],
        tallies: dict[str, Tally],
        rnd: Any,
    ) -> None:
        self.rnd = rnd
        self.info: list[Place] = []
        self.local = {sid: i for i, (sid, _) in enumerate(structures)}
        weights = []
        for sid, fields in structures:
            size = random.Random(f"size:{sid}").lognormvariate(0.0, 0.45)
            base = MISSION_LOCALE_WEIGHT if fields.kind == "mission_locale" else PAIO_WEIGHT
            weights.append(base * size)
            region_key = scope_key("region", fields.region)
            self.info.append(
                (sid, fields.region, tallies[scope_key("structure", sid)], tallies[region_key])
            )
        self.cumulative = cumulate(weights)
        self.by_region: dict[str, tuple[list[int], list[float]]] = {}
        for index, (_, region, _, _) in enumerate(self.info):
            members, _ = self.by_region.setdefault(region, ([], []))
            members.append(index)
        for members, cum in self.by_region.values():
            cum.extend(cumulate([weights[i] for i in members]))
        self.count = len(self.info)

    def pick(self, cum: list[float]) -> int:
        return min(bisect_right(cum, self.rnd() * cum[-1]), len(cum) - 1)

    def home(self) -> int:
        return self.pick(self.cumulative) if self.count > 1 else 0

    def second(self, home: int) -> int:
        """Another structure than ``home``: mostly in the same region."""
        rnd = self.rnd
        members, cum = self.by_region[self.info[home][1]]
        if len(members) > 1 and rnd() >= SECOND_REGION_SHARE:
            second = members[self.pick(cum)]
            while second == home:
                second = members[self.pick(cum)]
        else:
            second = self.pick(self.cumulative)
            while second == home:
                second = self.pick(self.cumulative)
        return second
