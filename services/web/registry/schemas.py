"""The JSON documents of the structure registry API (SPEC §5), as msgspec structs."""

from __future__ import annotations

import datetime as dt

import msgspec

from shared.models import Structure
from shared.registry import Kind, StructureFields, structure_document


class StructureDocument(msgspec.Struct):
    """One structure of the registry, as ``GET /v1/structures`` and ``PUT`` answer it."""

    structure_id: str
    name: str
    kind: Kind
    region: str
    opened_on: dt.date | None
    closed_on: dt.date | None


class StructureList(msgspec.Struct):
    """``GET /v1/structures``."""

    structures: list[StructureDocument]


def document_of(row: Structure) -> StructureDocument:
    """The document of a registry row."""
    return msgspec.convert(structure_document(row), StructureDocument)


STRUCTS: tuple[type, ...] = (StructureList, StructureDocument, StructureFields)
