"""The exact national targets of a simulated year at one scale (SPEC §4, 2007 values).

At ``scale`` f the national figures are exactly ``round(value * f)`` of the 2007
key figures (``KEY_FIGURES_2007``), except the four CIVIS exit reasons: each youth
leaves CIVIS once, so their quotas are the rounded exits apportioned by largest
remainder (each within one of ``value * f``).

A year k years before the last of several simulated years (``years_before=k``) has
each figure times ``YEARLY_CHANGE[group] ** k`` besides: a network that grew a few per
cent a year, its outcomes a little faster and CIVIS (created in 2005) much faster.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.events import EXIT_REASONS

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
_YOUTH_FUNNEL = (
    "youths_first_reception",
    "youths_in_contact",
    "youths_received",
    "youths_interviewed",
)

# Youths with access and more than one kind of outcome in 2007 (employment,
# subsidized or work-study, training) sum the kind figures beyond 481 000: 87 300.
# The report does not split the overlap; this split of it is ours.
_ACCESS_TRIPLE_2007 = 3_000
_ACCESS_PAIRS_2007 = {"ES": 16_300, "ST": 10_000, "ET": 55_000}
_CIVIS_EXITS_AFTER_ENTRY_SAME_YEAR = 0.35  # the others entered CIVIS in a previous year

# Each figure's ratio to the next year's, by group: one year before, a figure is this much.
YEARLY_CHANGE: dict[str, float] = {
    "youths": 0.97,  # first receptions, contacts, received, interviewed
    "interviews": 0.965,
    "access": 0.955,  # with access, and each kind
    "civis_entries": 0.93,
    "civis_exits": 0.92,  # and each reason
}
_GROUP_OF = {
    key: (
        "interviews"
        if key == "interviews"
        else "access"
        if key.startswith("youths_") and key not in _YOUTH_FUNNEL
        else "civis_entries"
        if key == "civis_entries"
        else "civis_exits"
        if key.startswith("civis_exits")
        else "youths"
    )
    for key in KEY_FIGURES_2007
}

# Access kind sets: E employment, S subsidized or work-study, T training.
ACCESS_SETS = ("E", "S", "T", "ES", "ET", "ST", "EST")


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
    def at(cls, scale: float, years_before: int = 0) -> Quotas:
        """The targets at ``scale`` of 2007, ``years_before`` years before the last year."""
        if not scale > 0:
            raise ScaleTooSmall(f"scale must be positive, got {scale}")
        figures = {
            key: round(value * scale * YEARLY_CHANGE[_GROUP_OF[key]] ** years_before)
            for key, value in KEY_FIGURES_2007.items()
        }
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
