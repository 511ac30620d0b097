"""Annual declarations ("ICARE", SPEC §5): staff and funding of a structure for a year.

A declaration is submitted by its structure (or an admin), then validated or
rejected by a validator of the structure's region (or an admin). The states:

    (none) --put--> submitted --validate--> validated
                    submitted --reject----> rejected --put--> submitted
                    validated --reject----> rejected   (a validation withdrawn, with a reason)

A submitted declaration may be replaced by another PUT (it stays ``submitted``);
a validated one is locked: it must be rejected before it can be changed, so that
the figures of a consolidation never rest on a declaration nobody validated.
Every action writes a row of the audit trail (who, what, when, and the content
submitted), in the same transaction as the change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from msgspec import Meta
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.models import Declaration, DeclarationAudit, Structure, utcnow
from shared.tokens import Caller

SUBMITTED = "submitted"
VALIDATED = "validated"
REJECTED = "rejected"
STATUSES: tuple[str, ...] = (SUBMITTED, VALIDATED, REJECTED)

Euros = Annotated[int, Meta(ge=0, le=10**12, description="Euros, non-negative")]
FUNDING_KEYS: tuple[str, ...] = ("main", "specific", "managed_funds")
FUNDER_KEYS: tuple[str, ...] = (
    "state",
    "region",
    "department",
    "municipalities",
    "esf",
    "other",
)


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


class DeclarationFields(msgspec.Struct, forbid_unknown_fields=True):
    """Body of ``PUT /v1/declarations/{year}/{structure_id}``."""

    professionals: Annotated[int, Meta(ge=0, le=100_000)]
    funding: Funding
    funders: Funders


class DeclarationError(Exception):
    """A refused declaration action; carries the HTTP status and error code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def decode_fields(body: bytes) -> DeclarationFields:
    """The PUT body, or a DeclarationError (400 malformed JSON, 422 invalid content)."""
    try:
        fields = msgspec.json.decode(body, type=DeclarationFields)
    except msgspec.ValidationError as exc:
        raise DeclarationError(422, "invalid", str(exc)) from None
    except msgspec.DecodeError as exc:
        raise DeclarationError(400, "malformed", f"body is not valid JSON: {exc}") from None
    check_fields(fields)
    return fields


def check_fields(fields: DeclarationFields) -> None:
    """The rules msgspec cannot express: the funders cover exactly main + specific."""
    funders = sum(msgspec.structs.astuple(fields.funders))
    covered = fields.funding.main + fields.funding.specific
    if funders != covered:
        raise DeclarationError(
            422,
            "funders_mismatch",
            f"the funders sum to {funders} € but funding.main + funding.specific is "
            f"{covered} € - at `$.funders`",
        )


def active_in(structure: Structure, year: int) -> bool:
    """Whether the structure was open at some time of the year."""
    opened = structure.opened_on is None or structure.opened_on <= dt.date(year, 12, 31)
    not_closed = structure.closed_on is None or structure.closed_on >= dt.date(year, 1, 1)
    return opened and not_closed


def _structure(session: Session, year: int, structure_id: str) -> Structure:
    structure = session.get(Structure, structure_id)
    if structure is None:
        raise DeclarationError(
            422, "unknown_structure", f"no structure {structure_id!r} in the registry"
        )
    if not active_in(structure, year):
        raise DeclarationError(
            422,
            "inactive_structure",
            f"structure {structure_id!r} was not active in {year} "
            f"(opened {structure.opened_on or '-'}, closed {structure.closed_on or '-'})",
        )
    return structure


def may_submit(caller: Caller, structure_id: str) -> bool:
    if caller.role == "admin":
        return True
    return caller.role == "structure" and caller.structures == frozenset({structure_id})


def may_decide(caller: Caller, region: str) -> bool:
    if caller.role == "admin":
        return True
    return caller.role == "validator" and caller.region == region


def content_of(fields: DeclarationFields) -> dict[str, Any]:
    return msgspec.to_builtins(fields)


def _audit(
    session: Session,
    row: Declaration,
    action: str,
    caller: Caller,
    reason: str | None = None,
    content: dict[str, Any] | None = None,
) -> None:
    session.add(
        DeclarationAudit(
            year=row.year,
            structure_id=row.structure_id,
            action=action,
            status=row.status,
            token_id=caller.token_id,
            role=caller.role,
            at=utcnow(),
            reason=reason,
            content=content,
        )
    )


def submit(
    session: Session, caller: Caller, year: int, structure_id: str, fields: DeclarationFields
) -> tuple[Declaration, bool]:
    """Create or replace a declaration (status ``submitted``); True when it was created."""
    if caller.role not in ("structure", "admin"):
        raise DeclarationError(403, "forbidden", f"role {caller.role!r} may not submit")
    if not may_submit(caller, structure_id):
        raise DeclarationError(
            403, "forbidden_structure", f"this token may not submit for {structure_id!r}"
        )
    check_fields(fields)
    structure = _structure(session, year, structure_id)
    # Locked: two concurrent submissions or a submission racing a validation serialize.
    row = session.scalar(
        select(Declaration)
        .where(Declaration.year == year, Declaration.structure_id == structure_id)
        .with_for_update()
    )
    created = row is None
    if row is None:
        row = Declaration(year=year, structure_id=structure_id)
        session.add(row)
    elif row.status == VALIDATED:
        raise DeclarationError(
            409,
            "already_validated",
            "this declaration is validated; a validator must reject it before it can change",
        )
    action = "submitted" if created or row.status == SUBMITTED else "resubmitted"
    row.region = structure.region
    row.status = SUBMITTED
    row.professionals = fields.professionals
    for key in FUNDING_KEYS:
        setattr(row, f"funding_{key}", getattr(fields.funding, key))
    for key in FUNDER_KEYS:
        setattr(row, f"funder_{key}", getattr(fields.funders, key))
    row.submitted_at = utcnow()
    row.decided_at = None
    row.reason = None
    _audit(session, row, action, caller, content=content_of(fields))
    session.flush()
    return row, created


def decide(
    session: Session,
    caller: Caller,
    year: int,
    structure_id: str,
    verdict: str,
    reason: str | None = None,
) -> Declaration:
    """Validate or reject a declaration (``verdict``: ``validated`` / ``rejected``)."""
    if caller.role not in ("validator", "admin"):
        raise DeclarationError(403, "forbidden", f"role {caller.role!r} may not validate")
    row = session.scalar(
        select(Declaration)
        .where(Declaration.year == year, Declaration.structure_id == structure_id)
        .with_for_update()
    )
    if row is None:
        raise DeclarationError(404, "not_found", f"no declaration of {structure_id!r} for {year}")
    if not may_decide(caller, row.region):
        raise DeclarationError(
            403,
            "forbidden_region",
            f"this token validates region {caller.region!r}, not region {row.region!r}",
        )
    if verdict == VALIDATED:
        if row.status != SUBMITTED:
            raise DeclarationError(
                409,
                "invalid_transition",
                f"only a submitted declaration can be validated (this one is {row.status})",
            )
        reason = reason or None
    elif verdict == REJECTED:
        if not reason or not reason.strip():
            raise DeclarationError(422, "invalid", "a rejection needs a reason - at `$.reason`")
        if row.status == REJECTED:
            raise DeclarationError(
                409, "invalid_transition", "this declaration is already rejected"
            )
        reason = reason.strip()
    else:
        raise ValueError(verdict)
    row.status = verdict
    row.decided_at = utcnow()
    row.reason = reason
    _audit(session, row, verdict, caller, reason=reason)
    session.flush()
    return row


def declaration_document(row: Declaration) -> dict[str, Any]:
    return {
        "year": row.year,
        "structure_id": row.structure_id,
        "region": row.region,
        "status": row.status,
        "professionals": row.professionals,
        "funding": {key: getattr(row, f"funding_{key}") for key in FUNDING_KEYS},
        "funders": {key: getattr(row, f"funder_{key}") for key in FUNDER_KEYS},
        "submitted_at": row.submitted_at,
        "decided_at": row.decided_at,
        "reason": row.reason,
    }


def audit_document(row: DeclarationAudit) -> dict[str, Any]:
    return {
        "action": row.action,
        "status": row.status,
        "token_id": row.token_id,
        "role": row.role,
        "at": row.at,
        "reason": row.reason,
        "content": row.content,
    }


def history(session: Session, year: int, structure_id: str) -> list[DeclarationAudit]:
    return list(
        session.scalars(
            select(DeclarationAudit)
            .where(DeclarationAudit.year == year, DeclarationAudit.structure_id == structure_id)
            .order_by(DeclarationAudit.id)
        )
    )


@dataclass(frozen=True)
class Completeness:
    """How far the declarations of a year are: structures active, and by status."""

    structures: int
    submitted: int
    validated: int
    rejected: int

    @property
    def missing(self) -> int:
        return max(self.structures - self.submitted - self.validated - self.rejected, 0)


def active_structures(session: Session, year: int) -> list[Structure]:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return list(
        session.scalars(
            select(Structure)
            .where(
                (Structure.opened_on.is_(None)) | (Structure.opened_on <= last),
                (Structure.closed_on.is_(None)) | (Structure.closed_on >= first),
            )
            .order_by(Structure.structure_id)
        )
    )


def completeness(session: Session, year: int) -> Completeness:
    by_status = dict(
        session.execute(
            select(Declaration.status, func.count())
            .where(Declaration.year == year)
            .group_by(Declaration.status)
        ).all()
    )
    return Completeness(
        structures=len(active_structures(session, year)),
        submitted=int(by_status.get(SUBMITTED, 0)),
        validated=int(by_status.get(VALIDATED, 0)),
        rejected=int(by_status.get(REJECTED, 0)),
    )


def list_declarations(
    session: Session, year: int, status: str | None = None, region: str | None = None
) -> list[Declaration]:
    statement = select(Declaration).where(Declaration.year == year)
    if status:
        statement = statement.where(Declaration.status == status)
    if region:
        statement = statement.where(Declaration.region == region)
    return list(session.scalars(statement.order_by(Declaration.structure_id)))
