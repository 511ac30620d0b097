"""The annual declarations API (SPEC §5): submit, validate or reject, list.

``PUT /v1/declarations/{year}/{structure_id}`` (structure token of that structure, or admin),
``POST …/validate`` and ``…/reject`` (validator of the structure's region, or admin),
``GET /v1/declarations/{year}`` (the year's list and completeness) and
``GET /v1/declarations/{year}/{structure_id}`` (one declaration and its audit trail).
Reading needs a token too (SPEC §5): an admin reads every declaration, a validator those
of its region's structures, a structure token its own; only the frozen report's
aggregates are public. The rules live in shared.declarations; this module only speaks
HTTP. The caller's role is checked before the body is read, so a wrong token gets its
403 whatever it sent.
"""

from __future__ import annotations

import msgspec
from flask import Response, request
from sqlalchemy.orm import Session

from services.http.bearer import authenticated
from services.http.bodies import decode_body
from services.http.errors import ApiError, json_response
from services.web.db import read_session, transaction
from services.web.parameters import given, given_region, is_structure_id, parse_year
from services.web.yearend.decisions import decide_and_mail
from services.web.yearend.schemas import (
    Completeness,
    DeclarationDetail,
    DeclarationList,
    Rejection,
    Verdict,
    audit_entry,
    declaration_document,
)
from shared.declarations.fields import DeclarationFields
from shared.declarations.figures import completeness
from shared.declarations.workflow import (
    REJECTED,
    STATUSES,
    VALIDATED,
    authorize_decide,
    authorize_read,
    authorize_submit,
    history,
    list_declarations,
    readable_scope,
    submit,
)
from shared.storage.models.declarations import Declaration

_fields_decoder = msgspec.json.Decoder(DeclarationFields)
_verdict_decoder = msgspec.json.Decoder(Verdict)
_rejection_decoder = msgspec.json.Decoder(Rejection)


def _no_declaration(year: int, structure_id: str) -> ApiError:
    return ApiError(404, "not_found", f"no declaration of {structure_id!r} for {year}")


def put_declaration(year: str, structure_id: str) -> Response:
    year_value = parse_year(year)
    caller = authenticated()
    authorize_submit(caller, structure_id)
    fields = decode_body(_fields_decoder)
    if not is_structure_id(structure_id):
        # Never looked up: no row can have it (and PostgreSQL refuses a NUL byte outright).
        raise ApiError(422, "unknown_structure", f"no structure {structure_id!r} in the registry")
    with transaction() as session:
        row, created = submit(session, caller, year_value, structure_id, fields)
        document = declaration_document(row)
    response = json_response(document, 201 if created else 200)
    if created:
        response.headers["Location"] = f"/v1/declarations/{year_value}/{structure_id}"
    return response


def _decide(year: str, structure_id: str, verdict: str) -> Response:
    year_value = parse_year(year)
    caller = authenticated()
    authorize_decide(caller)
    if not is_structure_id(structure_id):
        raise _no_declaration(year_value, structure_id)
    body = request.get_data(cache=False)
    # The body is optional for a validation: no body, no reason (a rejection then is a 422).
    reason: str | None = None
    if body.strip():
        if verdict == REJECTED:
            reason = decode_body(_rejection_decoder, body).reason
        else:
            reason = decode_body(_verdict_decoder, body).reason
    row = decide_and_mail(caller, year_value, structure_id, verdict, reason)
    return json_response(declaration_document(row))


def validate_declaration(year: str, structure_id: str) -> Response:
    return _decide(year, structure_id, VALIDATED)


def reject_declaration(year: str, structure_id: str) -> Response:
    return _decide(year, structure_id, REJECTED)


def completeness_of(session: Session, year: int) -> Completeness:
    # ``missing`` is a property of the counts: read as an attribute like the others.
    return msgspec.convert(completeness(session, year), Completeness, from_attributes=True)


def get_declarations(year: str) -> Response:
    year_value = parse_year(year)
    caller = authenticated()
    status = given("status")
    if status is not None and status not in STATUSES:
        raise ApiError(400, "invalid_parameter", f"status must be one of {', '.join(STATUSES)}")
    region, structure_id = readable_scope(caller, given_region())
    with read_session() as session:
        rows = list_declarations(session, year_value, status, region, structure_id)
        document = DeclarationList(
            year=year_value,
            completeness=completeness_of(session, year_value),
            declarations=[declaration_document(row) for row in rows],
        )
    return json_response(document)


def get_declaration(year: str, structure_id: str) -> Response:
    year_value = parse_year(year)
    caller = authenticated()
    if not is_structure_id(structure_id):
        raise _no_declaration(year_value, structure_id)
    with read_session() as session:
        authorize_read(session, caller, structure_id)
        row = session.get(Declaration, (year_value, structure_id))
        if row is None:
            raise _no_declaration(year_value, structure_id)
        document = DeclarationDetail(
            declaration=declaration_document(row),
            history=[audit_entry(entry) for entry in history(session, year_value, structure_id)],
        )
    return json_response(document)
