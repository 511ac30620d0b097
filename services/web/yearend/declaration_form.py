"""The declaration as a French form: its fields with their units, reading what people type,
and the messages shown beside each field.

The rules are shared.declarations': the bounds of ``fields`` and ``check_fields`` (the
funders cover exactly the main and specific funding). This module only says them in
French, field by field, so that the page without JavaScript (checked here, on the server)
and with it (static/declaration.js checks the funders' sum as one types, with the same
sentence, ``MISMATCH``) speak alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import msgspec

from services.web.formatting import format_euros, format_number
from shared.declarations.fields import (
    FUNDER_KEYS,
    FUNDING_KEYS,
    MAX_EUROS,
    MAX_PROFESSIONALS,
    DeclarationFields,
    check_fields,
)
from shared.storage.models.declarations import Declaration


@dataclass(frozen=True)
class Field:
    """One input: its name (the declaration's column), label, help and unit."""

    name: str
    label: str
    hint: str
    unit: str
    maximum: int

    @property
    def euros(self) -> bool:
        return self.unit == "euros"


def _euros(name: str, label: str, hint: str) -> Field:
    return Field(name, label, hint, "euros", MAX_EUROS)


STAFF = Field(
    "professionals",
    "Professionnels",
    "Salariés de la structure au 31 décembre, tous métiers confondus.",
    "personnes",
    MAX_PROFESSIONALS,
)
FUNDING = (
    _euros("funding_main", "Activité principale", "Financement du fonctionnement de la structure."),
    _euros(
        "funding_specific",
        "Activités spécifiques",
        "Financements d'actions ou de programmes particuliers.",
    ),
    _euros(
        "funding_managed_funds",
        "Fonds gérés",
        "Fonds gérés pour le compte d'autres financeurs ; ils ne sont pas répartis ci-dessous.",
    ),
)
FUNDERS = (
    _euros("funder_state", "État", ""),
    _euros("funder_region", "Conseil régional", ""),
    _euros("funder_department", "Conseil général (département)", ""),
    _euros("funder_municipalities", "Communes et EPCI", "Communes et intercommunalités."),
    _euros("funder_esf", "Fonds social européen (FSE)", ""),
    _euros("funder_other", "Autres organismes publics et privés", ""),
)
FIELDS = (STAFF, *FUNDING, *FUNDERS)
assert [f.name for f in FUNDING] == [f"funding_{k}" for k in FUNDING_KEYS]
assert [f.name for f in FUNDERS] == [f"funder_{k}" for k in FUNDER_KEYS]

# The funders' sentence, filled in by the server and, as one types, by static/declaration.js.
MISMATCH = (
    "La somme des financeurs ({funders}) doit être égale à l'activité principale et aux "
    "activités spécifiques réunies ({covered}) : écart de {gap}."
)
FUNDERS_KEY = "funders"  # the errors' key of the funders' group
FUNDERS_LEGEND = "Financeurs"


def field_names() -> dict[str, str]:
    """Each error's key and the name of its field, as the list of errors above the form names
    them: ``Professionnels``, ``Financeurs — État``, ``Financeurs`` (the group's sum)."""
    names = {field.name: field.label for field in (STAFF, *FUNDING)}
    names |= {field.name: f"{FUNDERS_LEGEND} — {field.label}" for field in FUNDERS}
    return names | {FUNDERS_KEY: FUNDERS_LEGEND}


def errors_title(count: int) -> str:
    """The title of the list of errors above the form."""
    if count == 1:
        return "Le formulaire contient une erreur : la voici, aussi sous son champ."
    return f"Le formulaire contient {count} erreurs : les voici, aussi sous leurs champs."


_SEPARATORS = re.compile(r"[ \u00a0\u202f]")
_DIGITS = re.compile(r"[0-9]+")
_DECIMAL = re.compile(r"[0-9]*[.,][0-9]*")


def read_number(text: str, field: Field) -> tuple[int | None, str | None]:
    """What was typed in ``field`` as an integer, or why it is not one (in French).

    Spaces between groups of digits (``1 250 000``) and a final ``€`` are accepted; digits
    are ASCII ones, within the field's bounds.
    """
    cleaned = _SEPARATORS.sub("", text.strip().removesuffix("€"))
    if not cleaned:
        return None, "Indiquez une valeur (0 s'il n'y en a pas)."
    if cleaned.startswith("-") and _DIGITS.fullmatch(cleaned[1:]):
        return None, "La valeur ne peut pas être négative."
    if _DECIMAL.fullmatch(cleaned):
        what = "d'euros, sans centimes" if field.euros else "de personnes"
        return None, f"Indiquez un nombre entier {what}, sans virgule ni point."
    if not _DIGITS.fullmatch(cleaned):
        return None, "Indiquez un nombre en chiffres, par exemple 1 250 000."
    if len(cleaned) > len(str(field.maximum)) or int(cleaned) > field.maximum:
        return None, f"La valeur ne peut pas dépasser {format_number(field.maximum)} {field.unit}."
    return int(cleaned), None


def mismatch(funders: int, covered: int) -> str:
    """The funders' sentence for these sums."""
    return MISMATCH.format(
        funders=format_euros(funders),
        covered=format_euros(covered),
        gap=format_euros(abs(funders - covered)),
    )


@dataclass
class FormReading:
    """A posted form: what was typed (shown again), the errors by field, the declaration."""

    values: dict[str, str]
    errors: dict[str, str]
    fields: DeclarationFields | None


def read_form(form: Any) -> FormReading:
    """The declaration a posted form holds, or the errors beside its fields."""
    values = {field.name: str(form.get(field.name, ""))[:40] for field in FIELDS}
    numbers: dict[str, int] = {}
    errors: dict[str, str] = {}
    for field in FIELDS:
        number, error = read_number(values[field.name], field)
        if error is None and number is not None:
            numbers[field.name] = number
        else:
            errors[field.name] = error or ""
    if not errors:
        covered = numbers["funding_main"] + numbers["funding_specific"]
        funders = sum(numbers[f.name] for f in FUNDERS)
        if funders != covered:
            errors[FUNDERS_KEY] = mismatch(funders, covered)
    if errors:
        return FormReading(values, errors, None)
    fields = msgspec.convert(
        {
            "professionals": numbers["professionals"],
            "funding": {k: numbers[f"funding_{k}"] for k in FUNDING_KEYS},
            "funders": {k: numbers[f"funder_{k}"] for k in FUNDER_KEYS},
        },
        DeclarationFields,
    )
    check_fields(fields)  # the domain's rule, which the reading above says in French
    return FormReading(values, {}, fields)


def values_of(row: Declaration | None) -> dict[str, str]:
    """A declaration's values as the form shows them (``1 250 000``); empty without one."""
    if row is None:
        return {field.name: "" for field in FIELDS}
    return {field.name: format_number(getattr(row, field.name)) for field in FIELDS}
