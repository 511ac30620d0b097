"""The JSON documents of the structure registry API (SPEC §5), as msgspec structs."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from shared.registry import Kind, StructureFields, structure_document
from shared.storage.models.registry import Structure


class StructureDocument(msgspec.Struct):
    """One structure of the registry, as ``GET /v1/structures`` and ``PUT`` answer it."""

    structure_id: str
    name: str
    kind: Kind
    region: str
    opened_on: dt.date | None
    closed_on: dt.date | None
    email: (
        Annotated[
            str | None,
            Meta(
                description="Contact address: present for an admin's token and the structure's own"
            ),
        ]
        | UnsetType
    ) = UNSET


class StructureList(msgspec.Struct):
    """``GET /v1/structures``."""

    structures: list[StructureDocument]


def document_of(row: Structure, with_email: bool = False) -> StructureDocument:
    """The document of a registry row; its contact address only ``with_email``."""
    return msgspec.convert(structure_document(row, with_email), StructureDocument)


STRUCTS: tuple[type, ...] = (StructureList, StructureDocument, StructureFields)
