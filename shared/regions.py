"""The 26 regions of 2007, by INSEE code (SPEC §4.1)."""

from __future__ import annotations

REGIONS: dict[str, str] = {
    "11": "Île-de-France",
    "21": "Champagne-Ardenne",
    "22": "Picardie",
    "23": "Haute-Normandie",
    "24": "Centre",
    "25": "Basse-Normandie",
    "26": "Bourgogne",
    "31": "Nord-Pas-de-Calais",
    "41": "Lorraine",
    "42": "Alsace",
    "43": "Franche-Comté",
    "52": "Pays de la Loire",
    "53": "Bretagne",
    "54": "Poitou-Charentes",
    "72": "Aquitaine",
    "73": "Midi-Pyrénées",
    "74": "Limousin",
    "82": "Rhône-Alpes",
    "83": "Auvergne",
    "91": "Languedoc-Roussillon",
    "93": "Provence-Alpes-Côte d'Azur",
    "94": "Corse",
    "01": "Guadeloupe",
    "02": "Martinique",
    "03": "Guyane",
    "04": "La Réunion",
}
