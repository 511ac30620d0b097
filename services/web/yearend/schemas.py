"""The JSON documents of the year-end API (declarations, campaigns, consolidations), as msgspec
structs. The frozen reports' shape is services/web/reports/schemas.py's.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from shared.declarations.fields import DeclarationFields, Funders, Funding
from shared.declarations.workflow import declaration_document as declaration_values
from shared.storage.models.consolidation import Consolidation
from shared.storage.models.declarations import Declaration, DeclarationAudit
from shared.times import as_utc

Status = Literal["submitted", "validated", "rejected"]
JobStatus = Literal["queued", "running", "succeeded", "failed"]


def utc(moment: dt.datetime | None) -> dt.datetime | None:
    """A nullable datetime read back from the database, UTC-aware."""
    return None if moment is None else as_utc(moment)


class DeclarationDocument(msgspec.Struct):
    """One declaration and where it stands."""

    year: int
    structure_id: str
    region: str
    status: Status
    professionals: int
    funding: Funding
    funders: Funders
    submitted_at: dt.datetime
    decided_at: dt.datetime | None
    reason: Annotated[str | None, Meta(description="Why it was rejected (or validated)")]


class AuditEntry(msgspec.Struct):
    """One line of a declaration's audit trail."""

    action: Literal["submitted", "resubmitted", "validated", "rejected"]
    status: Status
    token_id: int | None
    role: str
    at: dt.datetime
    reason: str | None
    content: DeclarationFields | None


class DeclarationDetail(msgspec.Struct):
    """``GET /v1/declarations/{year}/{structure_id}``: the declaration and its history."""

    declaration: DeclarationDocument
    history: list[AuditEntry]


class Completeness(msgspec.Struct):
    structures: Annotated[int, Meta(description="Structures of the registry active that year")]
    submitted: int
    validated: int
    rejected: int
    missing: Annotated[int, Meta(description="Active structures without a declaration")]


class DeclarationList(msgspec.Struct):
    """``GET /v1/declarations/{year}``."""

    year: int
    completeness: Completeness
    declarations: list[DeclarationDocument]


# PostgreSQL refuses a NUL byte in text: refused here, before it reaches the database.
_NO_NUL = "^[^\\x00]*$"


class Verdict(msgspec.Struct, forbid_unknown_fields=True):
    """Body of ``…/validate``, optional."""

    reason: Annotated[str, Meta(max_length=2000, pattern=_NO_NUL)] | None = None


class Rejection(msgspec.Struct, forbid_unknown_fields=True):
    """Body of ``…/reject``: why, in a reason that is not blank."""

    reason: Annotated[
        str, Meta(min_length=1, max_length=2000, pattern="^[^\\x00]*[^\\s\\x00][^\\x00]*$")
    ]


class CampaignWindow(msgspec.Struct, forbid_unknown_fields=True):
    """Body of ``PUT /v1/campaigns/{year}``: the days structures declare, both included
    (Europe/Paris)."""

    opens_on: dt.date
    closes_on: Annotated[dt.date, Meta(description="On or after opens_on")]


class CampaignDocument(msgspec.Struct):
    """``GET /v1/campaigns/{year}``: the year's window (null: none saved, the year is open),
    whether structures may declare today, and how far the declarations are."""

    year: int
    opens_on: dt.date | None
    closes_on: dt.date | None
    open: Annotated[bool, Meta(description="Whether a structure may declare today (Paris)")]
    completeness: Completeness


class ConsolidationRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Body of ``POST /v1/consolidations``."""

    year: int


class ConsolidationDocument(msgspec.Struct):
    """``GET /v1/consolidations/{id}``."""

    id: int
    year: int
    status: JobStatus
    progress: Annotated[float, Meta(ge=0, le=1)]
    version: int | None
    error: str | None


class ConsolidationStarted(msgspec.Struct):
    """``POST /v1/consolidations``."""

    id: int
    year: int
    status: JobStatus


class ConsolidationEntry(msgspec.Struct):
    id: int
    year: int
    status: JobStatus
    progress: float
    version: int | None
    error: str | None
    created_at: dt.datetime
    finished_at: dt.datetime | None


class ConsolidationList(msgspec.Struct):
    """``GET /v1/consolidations``: the job history, newest first."""

    consolidations: list[ConsolidationEntry]


def declaration_document(row: Declaration) -> DeclarationDocument:
    """The answer's document of a declaration row."""
    values: dict[str, Any] = declaration_values(row)
    values["submitted_at"] = utc(values["submitted_at"])
    values["decided_at"] = utc(values["decided_at"])
    return msgspec.convert(values, DeclarationDocument, from_attributes=True)


def audit_entry(row: DeclarationAudit) -> AuditEntry:
    """One line of the audit trail as answered."""
    return AuditEntry(
        # The columns are str; the audit writes only these Literals' values (shared.declarations).
        action=row.action,  # type: ignore[arg-type]
        status=row.status,  # type: ignore[arg-type]
        token_id=row.token_id,
        role=row.role,
        at=as_utc(row.at),
        reason=row.reason,
        content=None if row.content is None else msgspec.convert(row.content, DeclarationFields),
    )


def _job_fields(job: Consolidation) -> dict[str, Any]:
    """The job's columns that a document and a line of the history answer as they are."""
    return {name: getattr(job, name) for name in ConsolidationDocument.__struct_fields__}


def consolidation_document(job: Consolidation) -> ConsolidationDocument:
    """A job as ``GET /v1/consolidations/{id}`` answers it."""
    return ConsolidationDocument(**_job_fields(job))


def consolidation_entry(job: Consolidation) -> ConsolidationEntry:
    """A job as a line of the history."""
    return ConsolidationEntry(
        **_job_fields(job), created_at=as_utc(job.created_at), finished_at=utc(job.finished_at)
    )


STRUCTS: tuple[type, ...] = (
    DeclarationFields,
    DeclarationDocument,
    DeclarationDetail,
    DeclarationList,
    Verdict,
    Rejection,
    CampaignWindow,
    CampaignDocument,
    ConsolidationRequest,
    ConsolidationStarted,
    ConsolidationDocument,
    ConsolidationList,
)
