"""Profiles of youths (SPEC §4.2): the dimensions, their categories, and a youth's category
in a year.

A youth's *profile* is the ``youth`` object (sex, birth year, education level) of its
earliest counted first reception that carries one; a youth without one has every field
unknown. The breakdowns by ``sex``, ``age`` and ``education_level`` put each youth of a
(year, scope) in one category of each dimension: the rows of a dimension partition the
youths. The age is the one reached in the figure's year (year − birth year), so a youth's
age category depends on the year, its other categories do not.

Categories are numbered 0–14 across the three dimensions (``CATEGORIES``): the live counters
(shared/pipeline/profiles.py) pack them into integers, the recomputation
(shared/pipeline/profile_recompute.py) and the pages read them by name.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

UNKNOWN = "unknown"
SEXES: tuple[str, ...] = ("F", "M", UNKNOWN)
# (key, lowest age, highest age) of each age band; ages are years reached in the year.
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("under_16", 0, 15),
    ("16_17", 16, 17),
    ("18_21", 18, 21),
    ("22_25", 22, 25),
    ("26_plus", 26, None),
)
AGES: tuple[str, ...] = (*(band[0] for band in AGE_BANDS), UNKNOWN)
EDUCATION_LEVELS: tuple[str, ...] = ("VI", "Vbis", "V", "IV", "III+", UNKNOWN)

# The dimensions of SPEC §4.2 (the ``by=`` values) and their row keys, in the spec's order.
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "sex": SEXES,
    "age": AGES,
    "education_level": EDUCATION_LEVELS,
}
# Every (dimension, category), numbered: a youth of a year has one in each dimension.
CATEGORIES: tuple[tuple[str, str], ...] = tuple(
    (dimension, key) for dimension, keys in DIMENSIONS.items() for key in keys
)
CATEGORY_INDEX: dict[tuple[str, str], int] = {pair: i for i, pair in enumerate(CATEGORIES)}


class Profile(NamedTuple):
    """A youth's profile and the first reception that gave it (None: no profile)."""

    source_id: str | None = None
    source_on: dt.date | None = None
    sex: str | None = None
    birth_year: int | None = None
    education_level: str | None = None

    @property
    def order(self) -> tuple[dt.date, str] | None:
        """The earliest wins (SPEC §4.2): by day, then by event id compared as bytes (the
        ids are ASCII, so Python's string order is the byte order)."""
        if self.source_id is None or self.source_on is None:
            return None
        return (self.source_on, self.source_id)


NO_PROFILE = Profile()


def carries_profile(sex: str | None, birth_year: int | None, education_level: str | None) -> bool:
    """Whether a first reception's ``youth`` object gives a profile: an empty one does not."""
    return sex is not None or birth_year is not None or education_level is not None


def earlier(a: Profile, b: Profile) -> Profile:
    """The profile of the two that wins (the earliest source; no profile loses)."""
    if a.order is None:
        return b
    if b.order is None or a.order <= b.order:
        return a
    return b


def age_category(year: int, birth_year: int | None) -> str:
    """The age band reached in ``year`` (SPEC §4.2): unknown without a birth year or when
    the age would be negative."""
    if birth_year is None or year - birth_year < 0:
        return UNKNOWN
    age = year - birth_year
    for key, low, high in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return key
    raise AssertionError(f"no band for age {age}")


def categories(profile: Profile, year: int) -> tuple[int, int, int]:
    """The youth's category in each dimension for ``year``, as CATEGORY_INDEX numbers."""
    return (
        CATEGORY_INDEX[("sex", profile.sex or UNKNOWN)],
        CATEGORY_INDEX[("age", age_category(year, profile.birth_year))],
        CATEGORY_INDEX[("education_level", profile.education_level or UNKNOWN)],
    )


def age_case_sql(year: int, birth_year: str) -> str:
    """SQL giving the age category of ``birth_year`` (a column) in ``year``, from AGE_BANDS."""
    int(year)
    age = f"({year} - {birth_year})"
    whens = " ".join(
        f"WHEN {age} >= {low}"
        + (f" AND {age} <= {high}" if high is not None else "")
        + f" THEN '{key}'"
        for key, low, high in AGE_BANDS
    )
    return f"CASE WHEN {birth_year} IS NULL THEN '{UNKNOWN}' {whens} ELSE '{UNKNOWN}' END"
