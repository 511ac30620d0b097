"""The profiles of simulated first receptions (SPEC §3's ``youth`` object, §4.2), drawn in
the proportions DARES published for the missions locales' first receptions.

With several years (``bilan simulate --years``), a youth carried over from an earlier year
has its profile from that year's first reception: the later years' figures take it from
there, in every scope.
"""

from __future__ import annotations

from typing import Any

# Profiles of first receptions (SPEC §4.2), in the proportions DARES published:
# - sex and age, for 2007: "54 % de jeunes femmes", "les jeunes mineurs représentent toujours
#   environ un premier accueil sur six (17 %), la majorité des jeunes ayant entre 18 et 21 ans"
#   (DARES, "L'activité des missions locales et PAIO en 2007", Premières synthèses, décembre
#   2008, as reported by Banque des territoires, "L'activité des missions locales en léger
#   repli en 2007"): 17 % aged 16-17, 52 % 18-21, 31 % 22-25 here;
# - education levels: DARES gives, for first receptions, 43 % below CAP-BEP (levels VI and
#   V bis) in 2005 and 35 % in 2013, when 19 % had a CAP-BEP (V), 38 % the baccalauréat (IV)
#   and 8 % higher education (III+) (DARES Analyses on the missions locales in 2013); for
#   2007, between the two: 40 % VI or V bis, 27 % V, 28 % IV, 5 % III+ — V and below, 67 %.
SEX_F = 0.54
EDUCATION = ("VI",) * 18 + ("Vbis",) * 22 + ("V",) * 27 + ("IV",) * 28 + ("III+",) * 5
_AGE_WEIGHTS = (7, 10, 12, 14, 14, 12, 10, 8, 7, 6)  # ages 16 to 25, in hundredths
AGES = tuple(age for age, w in zip(range(16, 26), _AGE_WEIGHTS, strict=True) for _ in range(w))
# Some first receptions carry no profile (the tool did not ask), some a partial one.
WITHOUT_PROFILE, WITHOUT_BIRTH_YEAR = 0.05, 0.03


def draw_profile(rnd: Any, year: int) -> dict[str, Any] | None:
    """A first reception's ``youth`` object: none at all, a partial one, or a whole one."""
    draw = rnd()
    if draw < WITHOUT_PROFILE:
        return None
    profile: dict[str, Any] = {
        "sex": "F" if rnd() < SEX_F else "M",
        "birth_year": year - AGES[int(rnd() * len(AGES))],
        "education_level": EDUCATION[int(rnd() * len(EDUCATION))],
    }
    if draw < WITHOUT_PROFILE + WITHOUT_BIRTH_YEAR:
        del profile["birth_year"]
    return profile
