"""``GET /v1/structures`` and ``PUT /v1/structures/{id}`` (SPEC §5): the structure registry."""

from __future__ import annotations

import msgspec
from flask import Blueprint, Response, current_app, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.web.figures import check_region, optional
from services.web.schemas import StructureDocument, StructureList, error_response, json_response
from shared.models import Structure
from shared.registry import InvalidStructure, StructureFields, structure_document, upsert_structure
from shared.tokens import authenticate

bp = Blueprint("structures", __name__)

_fields_decoder = msgspec.json.Decoder(StructureFields)


def document_of(row: Structure) -> StructureDocument:
    return msgspec.convert(structure_document(row), StructureDocument)


@bp.get("/v1/structures")
def list_structures() -> Response:
    region = optional("region")
    if region:
        check_region(region)
    statement = select(Structure).order_by(Structure.structure_id)
    if region:
        statement = statement.where(Structure.region == region)
    with current_app.extensions["read_sessions"]() as session:
        rows = session.scalars(statement).all()
        documents = [document_of(row) for row in rows]
    return json_response(StructureList(structures=documents))


@bp.put("/v1/structures/<structure_id>")
def put_structure(structure_id: str) -> Response:
    sessions = current_app.extensions["sessions"]
    with sessions() as session:
        caller = authenticate(session, request.headers.get("Authorization"))
    if caller is None:
        return error_response(
            401, "unauthorized", "a valid 'Authorization: Bearer <token>' header is required"
        )
    if caller.role != "admin":
        return error_response(403, "forbidden", f"role {caller.role!r} may not edit the registry")

    try:
        fields = _fields_decoder.decode(request.get_data(cache=False))
    except msgspec.ValidationError as exc:
        return error_response(422, "invalid", str(exc))
    except msgspec.DecodeError as exc:
        return error_response(400, "malformed", f"body is not valid JSON: {exc}")

    # Two first PUTs of one id may race to insert it: the loser retries as an update.
    for attempt in (1, 2):
        try:
            with sessions.begin() as session:
                created = upsert_structure(session, structure_id, fields)
                session.flush()
                document = document_of(session.get_one(Structure, structure_id))
            break
        except InvalidStructure as exc:
            return error_response(422, "invalid", str(exc))
        except IntegrityError:
            if attempt == 2:
                raise
    response = json_response(document, 201 if created else 200)
    if created:
        response.headers["Location"] = f"/v1/structures/{structure_id}"
    return response
