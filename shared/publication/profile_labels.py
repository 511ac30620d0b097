"""The French names of the profile dimensions and categories (SPEC §4.2), as the 2007 report
and DARES's "L'activité des missions locales" print them, for the pages and the CSV files."""

from __future__ import annotations

from shared.profiles import DIMENSIONS

DIMENSION_LABELS: dict[str, str] = {
    "sex": "Sexe",
    "age": "Âge atteint dans l'année",
    "education_level": "Niveau de formation",
}
CATEGORY_LABELS: dict[str, dict[str, str]] = {
    "sex": {"F": "Femmes", "M": "Hommes", "unknown": "Non renseigné"},
    "age": {
        "under_16": "Moins de 16 ans",
        "16_17": "16-17 ans",
        "18_21": "18-21 ans",
        "22_25": "22-25 ans",
        "26_plus": "26 ans et plus",
        "unknown": "Non renseigné",
    },
    "education_level": {
        "VI": "Niveau VI",
        "Vbis": "Niveau V bis",
        "V": "Niveau V",
        "IV": "Niveau IV",
        "III+": "Niveau III et plus",
        "unknown": "Non renseigné",
    },
}
assert {d: tuple(labels) for d, labels in CATEGORY_LABELS.items()} == DIMENSIONS
# The figures a profile block shows (the 2007 layout's "Profil des jeunes en premier accueil",
# and the youths accompanied): first receptions, and youths interviewed.
PROFILE_FIGURES: tuple[str, ...] = ("youths_first_reception", "youths_interviewed")
PROFILE_TITLE = "Profil des jeunes en premier accueil"
# Why a reader without a token sees every profile value of a structure withheld while
# statistical confidentiality is on: the public edition holds the nation's and the regions'
# profile cells, not a structure's (services/web/live/profile_rows.py), whatever their size —
# not the usual mark's reason (fewer than k youths).
PROFILES_WITHHELD = (
    "Les profils des jeunes d'une structure ne sont pas publiés sous secret statistique : "
    "toutes leurs valeurs sont marquées « s », quelle que soit leur taille. Ils sont publiés "
    "pour la France entière et pour chaque région ; les membres du réseau, connectés ou munis "
    "d'un jeton d'accès, les voient en chiffres exacts."
)
