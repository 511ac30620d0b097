"""Who may do what with a declaration, its states, and the audit trail of every action.

A submitted declaration may be replaced by another PUT (it stays ``submitted``);
a validated one is locked: it must be rejected before it can be changed, so that
the figures of a consolidation never rest on a declaration nobody validated.
Every action writes a row of the audit trail (who, what, when, and the content
submitted), in the same transaction as the change; and so does the mail of a decision to
the structure (shared/mail/outbox.py). A structure submits within its year's window only
(shared/declarations/campaign_window.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.access.tokens import Caller
from shared.declarations.campaign_window import check_may_declare, window_of
from shared.declarations.fields import (
    FUNDER_KEYS,
    FUNDING_KEYS,
    DeclarationError,
    DeclarationFields,
    check_fields,
    content_of,
)
from shared.declarations.mails import rejected_letter, validated_letter
from shared.mail.outbox import MailConfig, enqueue
from shared.registry import active_in
from shared.retention.closure import YearPurged, check_year_open
from shared.storage.models.base import utcnow
from shared.storage.models.declarations import Declaration, DeclarationAudit
from shared.storage.models.registry import Structure
from shared.times import in_paris

SUBMITTED = "submitted"
VALIDATED = "validated"
REJECTED = "rejected"
STATUSES: tuple[str, ...] = (SUBMITTED, VALIDATED, REJECTED)


def authorize_submit(caller: Caller, structure_id: str) -> None:
    """A structure token submits for its own structure; an admin for any."""
    if caller.role not in ("structure", "admin"):
        raise DeclarationError("forbidden", f"role {caller.role!r} may not submit")
    if caller.role == "structure" and caller.structures != frozenset({structure_id}):
        raise DeclarationError(
            "forbidden_structure", f"this token may not submit for {structure_id!r}"
        )


def authorize_decide(caller: Caller, region: str | None = None) -> None:
    """A validator decides for its region (checked once ``region`` is known); an admin for any."""
    if caller.role not in ("validator", "admin"):
        raise DeclarationError("forbidden", f"role {caller.role!r} may not validate")
    if region is not None and caller.role == "validator" and caller.region != region:
        raise DeclarationError(
            "forbidden_region",
            f"this token validates region {caller.region!r}, not region {region!r}",
        )


def current_region(session: Session, structure_id: str) -> str | None:
    """The structure's region in the registry today (None if unknown).

    A validator's authority follows it: when a structure moves, its declarations go
    with it to the new region's validator, whatever region they were submitted in.
    """
    region: str | None = session.scalar(
        select(Structure.region).where(Structure.structure_id == structure_id)
    )
    return region


def authorize_read(session: Session, caller: Caller, structure_id: str) -> None:
    """A declaration (content, reasons, audit trail) is read by an admin, the validator of
    the structure's current region, or that structure's token; checked before looking the
    declaration up, so that a refusal says nothing of whether one exists."""
    if caller.role == "admin":
        return
    if caller.role == "structure":
        if caller.structures != frozenset({structure_id}):
            message = f"this token may not read the declarations of {structure_id!r}"
            raise DeclarationError("forbidden_structure", message)
        return
    if caller.role == "validator":
        region = current_region(session, structure_id)
        if region is None:
            raise DeclarationError("not_found", f"no structure {structure_id!r} in the registry")
        if region != caller.region:
            raise DeclarationError(
                "forbidden_region",
                f"this token reads region {caller.region!r}, not region {region!r}",
            )
        return
    raise DeclarationError("forbidden", f"role {caller.role!r} may not read declarations")


def readable_scope(caller: Caller, region: str | None) -> tuple[str | None, str | None]:
    """The (region, structure) a caller's listing is limited to, given the ``region`` it
    asked for; a refusal when it asks for a region it may not read."""
    if caller.role == "admin":
        return region, None
    if caller.role == "validator":
        if region is not None and region != caller.region:
            raise DeclarationError(
                "forbidden_region",
                f"this token reads region {caller.region!r}, not region {region!r}",
            )
        return caller.region, None
    if caller.role == "structure":
        (structure_id,) = caller.structures
        return region, structure_id
    raise DeclarationError("forbidden", f"role {caller.role!r} may not read declarations")


def _structure(session: Session, year: int, structure_id: str) -> Structure:
    structure = session.get(Structure, structure_id)
    if structure is None:
        raise DeclarationError(
            "unknown_structure", f"no structure {structure_id!r} in the registry"
        )
    if not active_in(structure, year):
        raise DeclarationError(
            "inactive_structure",
            f"structure {structure_id!r} was not active in {year} "
            f"(opened {structure.opened_on or '-'}, closed {structure.closed_on or '-'})",
        )
    return structure


def _audit(
    session: Session,
    row: Declaration,
    action: str,
    caller: Caller,
    reason: str | None = None,
    content: dict[str, Any] | None = None,
) -> DeclarationAudit:
    entry = DeclarationAudit(
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
    session.add(entry)
    return entry


def _check_not_purged(session: Session, year: int) -> None:
    """A purged year's report is final (SPEC §5): its declarations no longer change. Under
    the purge's shared lock (shared/retention/closure.py), so no change slips past a purge."""
    try:
        check_year_open(session, year)
    except YearPurged as exc:
        raise DeclarationError(exc.code, exc.message) from None


def _locked(session: Session, year: int, structure_id: str) -> Declaration | None:
    # Locked: two concurrent submissions or a submission racing a validation serialize.
    return session.scalar(
        select(Declaration)
        .where(Declaration.year == year, Declaration.structure_id == structure_id)
        .with_for_update()
    )


def _inserted(session: Session, row: Declaration) -> bool:
    """Insert a first declaration; False when a concurrent first submission inserted it
    (there was no row to lock: the insert waits for that transaction, then conflicts)."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


def submit(
    session: Session, caller: Caller, year: int, structure_id: str, fields: DeclarationFields
) -> tuple[Declaration, bool]:
    """Create or replace a declaration (status ``submitted``); True when it was created."""
    authorize_submit(caller, structure_id)
    check_fields(fields)
    structure = _structure(session, year, structure_id)
    check_may_declare(session, caller, year)
    _check_not_purged(session, year)
    row = _locked(session, year, structure_id)
    created = row is None
    if row is None:
        row = Declaration(year=year, structure_id=structure_id)
    elif row.status == VALIDATED:
        raise DeclarationError(
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
    if created and not _inserted(session, row):
        # Another first submission committed since the lookup: this one comes after it.
        return submit(session, caller, year, structure_id, fields)
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
    mail: MailConfig | None = None,
) -> Declaration:
    """Validate or reject a declaration (``verdict``: ``validated`` / ``rejected``); with
    ``mail``, its structure's contact is mailed the decision (the mail written in this
    transaction: shared/mail/outbox.py)."""
    authorize_decide(caller)
    _check_not_purged(session, year)
    row = _locked(session, year, structure_id)
    if row is None:
        raise DeclarationError("not_found", f"no declaration of {structure_id!r} for {year}")
    authorize_decide(caller, current_region(session, structure_id) or row.region)
    if verdict == VALIDATED:
        if row.status != SUBMITTED:
            raise DeclarationError(
                "invalid_transition",
                f"only a submitted declaration can be validated (this one is {row.status})",
            )
        reason = reason or None
    elif verdict == REJECTED:
        if not reason or not reason.strip():
            raise DeclarationError("invalid", "a rejection needs a reason - at `$.reason`")
        if row.status == REJECTED:
            raise DeclarationError("invalid_transition", "this declaration is already rejected")
        reason = reason.strip()
    else:
        raise ValueError(verdict)
    row.status = verdict
    row.decided_at = utcnow()
    row.reason = reason
    entry = _audit(session, row, verdict, caller, reason=reason)
    session.flush()
    if mail is not None:
        _mail_decision(session, mail, row, entry)
    return row


def _mail_decision(
    session: Session, mail: MailConfig, row: Declaration, entry: DeclarationAudit
) -> None:
    """The decision's mail to the structure's contact, if it has one: once per decision (the
    audit line is its key)."""
    structure = session.get_one(Structure, row.structure_id)
    if structure.email is None:
        return
    day = in_paris(entry.at).date()
    if row.status == VALIDATED:
        letter = validated_letter(mail, structure, row.year, entry.role, day, row.reason)
    else:
        assert row.reason is not None
        window = window_of(session, row.year)
        letter = rejected_letter(mail, structure, row.year, entry.role, day, row.reason, window)
    enqueue(
        session,
        mail,
        key=f"decision:{entry.id}",
        kind=row.status,
        year=row.year,
        structure_id=row.structure_id,
        recipient=structure.email,
        letter=letter,
    )


def declaration_document(row: Declaration) -> dict[str, Any]:
    """A declaration as builtins (the web converts it to its response struct)."""
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


def history(session: Session, year: int, structure_id: str) -> list[DeclarationAudit]:
    """The audit trail of one declaration, oldest first."""
    return list(
        session.scalars(
            select(DeclarationAudit)
            .where(DeclarationAudit.year == year, DeclarationAudit.structure_id == structure_id)
            .order_by(DeclarationAudit.id)
        )
    )


def list_declarations(
    session: Session,
    year: int,
    status: str | None = None,
    region: str | None = None,
    structure_id: str | None = None,
) -> list[Declaration]:
    """The declarations of a year, by structure, optionally of one status, of the structures
    of one region today, or of one structure."""
    statement = select(Declaration).where(Declaration.year == year)
    if status:
        statement = statement.where(Declaration.status == status)
    if region:
        in_region = select(Structure.structure_id).where(Structure.region == region)
        statement = statement.where(Declaration.structure_id.in_(in_region))
    if structure_id:
        statement = statement.where(Declaration.structure_id == structure_id)
    return list(session.scalars(statement.order_by(Declaration.structure_id)))
