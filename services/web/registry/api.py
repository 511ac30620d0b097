"""``GET /v1/structures`` and ``PUT /v1/structures/{id}`` (SPEC §5): the structure registry."""

from __future__ import annotations

from collections.abc import Callable

import msgspec
from flask import Response, request
from sqlalchemy.exc import IntegrityError

from services.http.bearer import authenticated, require_role
from services.http.bodies import decode_body
from services.http.errors import ApiError, json_response
from services.web.db import read_session, transaction
from services.web.parameters import given_region
from services.web.registry.schemas import StructureList, document_of
from shared.audit.actions import STRUCTURE_SAVED, actor_of, record_action
from shared.registry import (
    InvalidStructure,
    StructureFields,
    registry_structures,
    upsert_structure,
)
from shared.storage.models.registry import Structure

_fields_decoder = msgspec.json.Decoder(StructureFields)


def _reads_email() -> Callable[[str], bool]:
    """Whose contact address this request may read: every one for an admin's token, its own
    for a structure's, none without a token (a header naming no valid token is a 401)."""
    if request.headers.get("Authorization") is None:
        return lambda _: False
    caller = authenticated()
    if caller.role == "admin":
        return lambda _: True
    if caller.role == "structure":
        return lambda structure_id: structure_id in caller.structures
    return lambda _: False


def list_structures() -> Response:
    region = given_region()
    reads_email = _reads_email()
    with read_session() as session:
        rows = registry_structures(session, region or None)
        documents = [document_of(row, reads_email(row.structure_id)) for row in rows]
    return json_response(StructureList(structures=documents))


def put_structure(structure_id: str) -> Response:
    caller = require_role("admin", action="edit the registry")
    fields = decode_body(_fields_decoder)
    # Two first PUTs of one id may race to insert it: the loser retries as an update.
    for attempt in (1, 2):
        try:
            with transaction() as session:
                created = upsert_structure(session, structure_id, fields)
                detail = "created" if created else "updated"
                record_action(session, actor_of(caller), STRUCTURE_SAVED, structure_id, detail)
                session.flush()
                document = document_of(session.get_one(Structure, structure_id), with_email=True)
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
