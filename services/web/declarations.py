"""The annual declarations API (SPEC §5): submit, validate or reject, list.

``PUT /v1/declarations/{year}/{structure_id}`` (structure token of that structure, or admin),
``POST …/validate`` and ``…/reject`` (validator of the structure's region, or admin),
``GET /v1/declarations/{year}`` (the year's list and completeness) and
``GET /v1/declarations/{year}/{structure_id}`` (one declaration and its audit trail).
The rules live in shared.declarations; this module only speaks HTTP.
"""

from __future__ import annotations

from typing import Any

import msgspec
from flask import Blueprint, Response, current_app, request

from services.web.figures import QueryError, check_region, optional, parse_year
from services.web.schemas import error_response, json_response
from services.web.yearend_schemas import (
    Completeness,
    DeclarationDetail,
    DeclarationList,
    Verdict,
    audit_entry,
    declaration_document,
)
from shared.declarations import (
    REJECTED,
    STATUSES,
    VALIDATED,
    DeclarationError,
    completeness,
    decide,
    decode_fields,
    history,
    list_declarations,
    may_submit,
    submit,
)
from shared.models import Declaration
from shared.tokens import Caller, authenticate

bp = Blueprint("declarations", __name__)

_verdict_decoder = msgspec.json.Decoder(Verdict)


def path_year(value: str) -> int:
    """A year in the path, with the same rule as the ``year`` parameter."""
    return parse_year(value)


def authenticated() -> Caller:
    """The caller of this request, or a 401."""
    with current_app.extensions["sessions"]() as session:
        caller = authenticate(session, request.headers.get("Authorization"))
    if caller is None:
        raise QueryError(
            401, "unauthorized", "a valid 'Authorization: Bearer <token>' header is required"
        )
    return caller


def _error(exc: DeclarationError) -> Response:
    return error_response(exc.status, exc.code, exc.message)


@bp.put("/v1/declarations/<year>/<structure_id>")
def put_declaration(year: str, structure_id: str) -> Response:
    year_value = path_year(year)
    caller = authenticated()
    try:
        if caller.role not in ("structure", "admin"):
            raise DeclarationError(403, "forbidden", f"role {caller.role!r} may not submit")
        if not may_submit(caller, structure_id):
            raise DeclarationError(
                403, "forbidden_structure", f"this token may not submit for {structure_id!r}"
            )
        fields = decode_fields(request.get_data(cache=False))
        with current_app.extensions["sessions"].begin() as session:
            row, created = submit(session, caller, year_value, structure_id, fields)
            document = declaration_document(row)
    except DeclarationError as exc:
        return _error(exc)
    response = json_response(document, 201 if created else 200)
    if created:
        response.headers["Location"] = f"/v1/declarations/{year_value}/{structure_id}"
    return response


def _decide(year: str, structure_id: str, verdict: str) -> Response:
    year_value = path_year(year)
    caller = authenticated()
    body = request.get_data(cache=False)
    try:
        if caller.role not in ("validator", "admin"):
            raise DeclarationError(403, "forbidden", f"role {caller.role!r} may not validate")
        try:
            reason = _verdict_decoder.decode(body).reason if body.strip() else None
        except msgspec.ValidationError as exc:
            raise DeclarationError(422, "invalid", str(exc)) from None
        except msgspec.DecodeError as exc:
            raise DeclarationError(400, "malformed", f"body is not valid JSON: {exc}") from None
        with current_app.extensions["sessions"].begin() as session:
            row = decide(session, caller, year_value, structure_id, verdict, reason)
            document = declaration_document(row)
    except DeclarationError as exc:
        return _error(exc)
    return json_response(document)


@bp.post("/v1/declarations/<year>/<structure_id>/validate")
def validate_declaration(year: str, structure_id: str) -> Response:
    return _decide(year, structure_id, VALIDATED)


@bp.post("/v1/declarations/<year>/<structure_id>/reject")
def reject_declaration(year: str, structure_id: str) -> Response:
    return _decide(year, structure_id, REJECTED)


def completeness_of(session: Any, year: int) -> Completeness:
    counts = completeness(session, year)
    return Completeness(
        structures=counts.structures,
        submitted=counts.submitted,
        validated=counts.validated,
        rejected=counts.rejected,
        missing=counts.missing,
    )


@bp.get("/v1/declarations/<year>")
def get_declarations(year: str) -> Response:
    year_value = path_year(year)
    status = optional("status")
    if status is not None and status not in STATUSES:
        raise QueryError(400, "invalid_parameter", f"status must be one of {', '.join(STATUSES)}")
    region = optional("region")
    if region:
        check_region(region)
    with current_app.extensions["read_sessions"]() as session:
        rows = list_declarations(session, year_value, status, region)
        document = DeclarationList(
            year=year_value,
            completeness=completeness_of(session, year_value),
            declarations=[declaration_document(row) for row in rows],
        )
    return json_response(document)


@bp.get("/v1/declarations/<year>/<structure_id>")
def get_declaration(year: str, structure_id: str) -> Response:
    year_value = path_year(year)
    with current_app.extensions["read_sessions"]() as session:
        row = session.get(Declaration, (year_value, structure_id))
        if row is None:
            return error_response(
                404, "not_found", f"no declaration of {structure_id!r} for {year_value}"
            )
        document = DeclarationDetail(
            declaration=declaration_document(row),
            history=[audit_entry(entry) for entry in history(session, year_value, structure_id)],
        )
    return json_response(document)
