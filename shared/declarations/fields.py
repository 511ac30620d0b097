"""What a declaration holds (the body of ``PUT /v1/declarations/…``) and its content rules."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from msgspec import Meta

# The bounds of the amounts and of the staff: the API's schema and the pages' forms share them.
MAX_EUROS = 10**12
MAX_PROFESSIONALS = 100_000
Euros = Annotated[int, Meta(ge=0, le=MAX_EUROS, description="Euros, non-negative")]


class Funding(msgspec.Struct, forbid_unknown_fields=True):
    main: Euros
    specific: Euros
    managed_funds: Euros


class Funders(msgspec.Struct, forbid_unknown_fields=True):
    """Who pays ``main + specific`` (managed funds are not the structure's own funding)."""

    state: Euros
    region: Euros
    department: Euros
    municipalities: Euros
    esf: Euros
    other: Euros


# The keys of the funding and of the funders, in order (the columns, the forms, the report).
FUNDING_KEYS: tuple[str, ...] = Funding.__struct_fields__
FUNDER_KEYS: tuple[str, ...] = Funders.__struct_fields__


class DeclarationFields(msgspec.Struct, forbid_unknown_fields=True):
    """Body of ``PUT /v1/declarations/{year}/{structure_id}``."""

    professionals: Annotated[int, Meta(ge=0, le=MAX_PROFESSIONALS)]
    funding: Funding
    funders: Funders


class DeclarationError(Exception):
    """A refused declaration action: a stable ``code`` and a message (the web maps the code)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def check_fields(fields: DeclarationFields) -> None:
    """The rules msgspec cannot express: the funders cover exactly main + specific."""
    funders = sum(msgspec.structs.astuple(fields.funders))
    covered = fields.funding.main + fields.funding.specific
    if funders != covered:
        raise DeclarationError(
            "funders_mismatch",
            f"the funders sum to {funders} € but funding.main + funding.specific is "
            f"{covered} € - at `$.funders`",
        )


def content_of(fields: DeclarationFields) -> dict[str, Any]:
    """The fields as JSON-ready builtins (the audit trail's copy)."""
    result: dict[str, Any] = msgspec.to_builtins(fields)
    return result
