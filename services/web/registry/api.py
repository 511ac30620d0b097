"""``GET /v1/structures`` and ``PUT /v1/structures/{id}`` (SPEC §5): the structure registry."""

from __future__ import annotations

import msgspec
from flask import Response
from sqlalchemy.exc import IntegrityError

from services.web.db import read_session, transaction
from services.web.http import (
    ApiError,
    decode_body,
    json_response,
    require_role,
)
from services.web.parameters import given_region
from services.web.registry.schemas import StructureList, document_of
from shared.models import Structure
from shared.registry import (
    InvalidStructure,
    StructureFields,
    registry_structures,
    upsert_structure,
)

_fields_decoder = msgspec.json.Decoder(StructureFields)


def list_structures() -> Response:
    region = given_region()
    with read_session() as session:
        rows = registry_structures(session, region or None)
        documents = [document_of(row) for row in rows]
    return json_response(StructureList(structures=documents))


def put_structure(structure_id: str) -> Response:
    require_role("admin", action="edit the registry")
    fields = decode_body(_fields_decoder)
    # Two first PUTs of one id may race to insert it: the loser retries as an update.
    for attempt in (1, 2):
        try:
            with transaction() as session:
                created = upsert_structure(session, structure_id, fields)
                session.flush()
                document = document_of(session.get_one(Structure, structure_id))
            break
        except InvalidStructure as exc:
            raise ApiError(422, "invalid", str(exc)) from None
        except IntegrityError:
            if attempt == 2:
                raise
    response = json_response(document, 201 if created else 200)
    if created:
        response.headers["Location"] = f"/v1/structures/{structure_id}"
    return response
