"""The database tables, as typed SQLAlchemy 2 models.

The ``events`` table is the log and the source of truth; ``youth_state`` and
``figure_counts`` are the live counters derived from it, kept in the same
database so that a batch's "applied" mark and its counter changes commit in
one transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Dialect,
    Float,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

from shared.figures import COUNTED

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def table_of(model: type[Base]) -> Table:
    """A model's table, typed as the Table it is (SQLAlchemy types it as any FromClause)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Structure(Base):
    """A mission locale or PAIO of the registry."""

    __tablename__ = "structures"

    structure_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    region: Mapped[str] = mapped_column(String(2), index=True)
    opened_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The structure's contact for the campaign's mails (shared/mail/addresses.py); read only
    # by admins and by the structure itself.
    email: Mapped[str | None] = mapped_column(String(254))


class StructureNumber(Base):
    """The small integer that stands for a structure in the youths' codes
    (shared/pipeline/codes.py).

    Given once, when the structure enters the registry, and never changed.
    """

    __tablename__ = "structure_numbers"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    structure_id: Mapped[str] = mapped_column(String(32), unique=True)


class Token(Base):
    """An API token; only the SHA-256 of its secret is kept."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    structures: Mapped[list[str]] = mapped_column(JSON, default=list)
    region: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Refused from this moment on (bilan token create --expires-in; bilan token revoke).
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Written at most once a minute per token (shared/access/tokens.py), never once per request.
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AppSecret(Base):
    """A secret every replica of a service must share, generated once (the web's session key)."""

    __tablename__ = "app_secrets"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WebSession(Base):
    """A signed-in session of the pages (every role but ``source``, shared/access/signins.py);
    the cookie holds its id, this table only its SHA-256.

    Deleting the row (sign-out, revocation of its token, expiry) ends the session on every
    replica. The table keeps the name schema 0005 gave it, when only /admin signed in.
    """

    __tablename__ = "admin_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_id: Mapped[int] = mapped_column(Integer, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Batch(Base):
    """One accepted POST /v1/events; applied once, atomically with its counter changes."""

    __tablename__ = "batches"

    batch_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    token_id: Mapped[int | None] = mapped_column(Integer)
    event_count: Mapped[int] = mapped_column(Integer)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    applied_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # The first public edition its events are in (shared/publication/edition.py); None: in none yet.
    published_in: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        Index(
            "ix_batches_pending",
            "received_at",
            postgresql_where=text("applied_at IS NULL"),
            sqlite_where=text("applied_at IS NULL"),
        ),
        # The live figures' data version (services/web/freshness.py): max(applied_at), read
        # from this index's end.
        Index("ix_batches_applied_at", "applied_at"),
        # The batches applied since the latest public edition: the events a public answer
        # does not hold yet besides the pending ones (shared/publication/edition.py).
        Index(
            "ix_batches_unpublished",
            "applied_at",
            postgresql_where=text("applied_at IS NOT NULL AND published_in IS NULL"),
            sqlite_where=text("applied_at IS NOT NULL AND published_in IS NULL"),
        ),
    )


PROFILE_EVENTS = (
    "type = 'first_reception' AND (youth_sex IS NOT NULL OR youth_birth_year IS NOT NULL "
    "OR youth_education_level IS NOT NULL)"
)


class EventRow(Base):
    """The event log (SPEC §3), one row per distinct event_id."""

    __tablename__ = "events"

    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(32), index=True)
    type: Mapped[str] = mapped_column(String(16))
    occurred_on: Mapped[dt.date] = mapped_column(Date, index=True)
    structure_id: Mapped[str] = mapped_column(String(32))
    # The structure's region when the event was recorded: events stay self-contained.
    region: Mapped[str] = mapped_column(String(2))
    youth_id: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str | None] = mapped_column(String(32))
    exit_reason: Mapped[str | None] = mapped_column(String(32))
    channel: Mapped[str | None] = mapped_column(String(16))
    retracts: Mapped[str | None] = mapped_column(String(128))
    youth_sex: Mapped[str | None] = mapped_column(String(1))
    youth_birth_year: Mapped[int | None] = mapped_column(Integer)
    youth_education_level: Mapped[str | None] = mapped_column(String(8))

    # A youth's first receptions that carry a profile, looked up when the one giving its
    # profile is retracted (shared/pipeline/profiles.py): a small part of the log.
    __table_args__ = (
        Index(
            "ix_events_profiles",
            "youth_id",
            postgresql_where=text(PROFILE_EVENTS),
            sqlite_where=text(PROFILE_EVENTS),
        ),
    )


class RetractionRow(Base):
    """The retractions of the log, filed under the (year, youth) whose events they aim at.

    A retraction only ever retracts an event with its own ``occurred_on``,
    ``structure_id`` and ``youth_id`` (SPEC §3.2), hence of its own (year, youth): the
    applier of a claim finds every retraction that can concern the claim's events by
    the very keys whose ``youth_state`` rows it holds locked (shared/pipeline/counters.py), in a
    table of retractions only, whatever plan the database picks.
    """

    __tablename__ = "retractions"

    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    youth_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    target_id: Mapped[str] = mapped_column(String(128), index=True)
    batch_id: Mapped[str] = mapped_column(String(32))
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    structure_id: Mapped[str] = mapped_column(String(32))


class Codes(TypeDecorator[list[int]]):
    """A list of integer codes: ``integer[]`` on PostgreSQL, ``",c1,c2"`` text on SQLite.

    Both forms append with ``||``, which is all the apply protocol asks of them.
    """

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.ARRAY(Integer))
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value: list[int] | None, dialect: Dialect) -> Any:
        if value is None or dialect.name == "postgresql":
            return value
        return "".join(f",{code}" for code in value)

    def process_result_value(self, value: Any, dialect: Dialect) -> list[int] | None:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return list(value)
        return parse_codes(value)


def parse_codes(value: str) -> list[int]:
    """The codes of the SQLite text form ``",c1,c2"``."""
    return [int(code) for code in value.split(",")[1:]]


class YouthState(Base):
    """One youth's counted events of one year, as codes (shared/pipeline/codes.py).

    The row is the unit of locking of the apply protocol: every change to whether one
    of this youth's events of this year counts is made under its lock.
    """

    __tablename__ = "youth_state"

    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    youth_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    codes: Mapped[list[int]] = mapped_column(Codes)

    # Room on each page, so that most updates of a row stay on its page (HOT) and leave
    # the primary key untouched. A youth's years, when its profile changes
    # (shared/pipeline/profiles.py), by youth_id: updates of codes keep this index untouched.
    __table_args__ = (
        Index("ix_youth_state_youth_id", "youth_id"),
        {"postgresql_with": {"fillfactor": 80}},
    )


class Counted:
    """The COUNTED figures of one cell (the columns of figure_counts and published_cells)."""

    youths_first_reception: Mapped[int] = mapped_column(BigInteger, default=0)
    youths_in_contact: Mapped[int] = mapped_column(BigInteger, default=0)
    youths_received: Mapped[int] = mapped_column(BigInteger, default=0)
    youths_interviewed: Mapped[int] = mapped_column(BigInteger, default=0)
    interviews: Mapped[int] = mapped_column(BigInteger, default=0)
    youths_with_access: Mapped[int] = mapped_column(BigInteger, default=0)
    youths_employment: Mapped[int] = mapped_column(BigInteger, default=0)
    youths_subsidized_or_work_study: Mapped[int] = mapped_column(BigInteger, default=0)
    youths_training: Mapped[int] = mapped_column(BigInteger, default=0)
    civis_entries: Mapped[int] = mapped_column(BigInteger, default=0)
    civis_exits: Mapped[int] = mapped_column(BigInteger, default=0)
    civis_exits_durable_employment: Mapped[int] = mapped_column(BigInteger, default=0)
    civis_exits_non_durable_employment: Mapped[int] = mapped_column(BigInteger, default=0)
    civis_exits_training: Mapped[int] = mapped_column(BigInteger, default=0)
    civis_exits_other: Mapped[int] = mapped_column(BigInteger, default=0)


class FigureCounts(Counted, Base):
    """The live COUNTED figures of one (period, scope)."""

    __tablename__ = "figure_counts"

    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    scope: Mapped[str] = mapped_column(String(48), primary_key=True)


class PublicEdition(Base):
    """One edition of the figures published for readers without a token (statistical
    confidentiality on: shared/publication/edition.py)."""

    __tablename__ = "public_editions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # The figures are those of a snapshot taken just after this moment: every batch
    # applied before it is in the edition.
    published_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    min_count: Mapped[int] = mapped_column(Integer)
    # The registry's version the components were made with (shared/publication/edition.py).
    registry_version: Mapped[str] = mapped_column(String(80))
    # What the publication did: cells written, components protected anew, its duration.
    cells: Mapped[int] = mapped_column(Integer)
    components: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)


class PublishedCell(Counted, Base):
    """A cell of the latest public edition: its COUNTED figures as that edition took them,
    and which keys readers without a token do not see."""

    __tablename__ = "published_cells"

    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    scope: Mapped[str] = mapped_column(String(48), primary_key=True)
    # The withheld keys, one bit each in FIGURE_KEYS order (shared/publication/edition.py).
    withheld: Mapped[int] = mapped_column(Integer, default=0)
    # The edition that last wrote the row (the row is unchanged since).
    edition: Mapped[int] = mapped_column(Integer)


# The columns above are spelled out for readability; they must follow the definitions.
assert tuple(FigureCounts.__table__.c.keys())[2:] == COUNTED
assert tuple(PublishedCell.__table__.c.keys())[4:] == COUNTED


class Declaration(Base):
    """A structure's annual ICARE declaration (SPEC §5): staff and funding, in euros."""

    __tablename__ = "declarations"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    structure_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # The structure's region when last submitted: the validators' scope.
    region: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(16))
    professionals: Mapped[int] = mapped_column(Integer)
    funding_main: Mapped[int] = mapped_column(BigInteger)
    funding_specific: Mapped[int] = mapped_column(BigInteger)
    funding_managed_funds: Mapped[int] = mapped_column(BigInteger)
    funder_state: Mapped[int] = mapped_column(BigInteger)
    funder_region: Mapped[int] = mapped_column(BigInteger)
    funder_department: Mapped[int] = mapped_column(BigInteger)
    funder_municipalities: Mapped[int] = mapped_column(BigInteger)
    funder_esf: Mapped[int] = mapped_column(BigInteger)
    funder_other: Mapped[int] = mapped_column(BigInteger)
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(String(2000))


class DeclarationAudit(Base):
    """The audit trail of the declarations: who did what, when; never updated."""

    __tablename__ = "declaration_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(Integer)
    structure_id: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    token_id: Mapped[int | None] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reason: Mapped[str | None] = mapped_column(String(2000))
    content: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_declaration_audit_declaration", "year", "structure_id", "id"),)


class Consolidation(Base):
    """A year-end consolidation job; at most one queued or running per year."""

    __tablename__ = "consolidations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(16))
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    version: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(2000))
    # Incremented by each claim: a worker only writes while its attempt is the current one.
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Touched every few seconds by the running worker; a stale one means it died.
    heartbeat_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        Index(
            "ux_consolidations_active_year",
            "year",
            unique=True,
            postgresql_where=text("status IN ('queued', 'running')"),
            sqlite_where=text("status IN ('queued', 'running')"),
        ),
    )


class Report(Base):
    """A frozen report version: the exact JSON bytes served, and their SHA-256. Never updated."""

    __tablename__ = "reports"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    consolidation_id: Mapped[int] = mapped_column(Integer)
    consolidated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    document: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))


class Campaign(Base):
    """The declaration window of a year (SPEC §5): its structures declare from ``opens_on``
    to ``closes_on``, both included, in Paris. A year without a row is open."""

    __tablename__ = "campaigns"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    opens_on: Mapped[dt.date] = mapped_column(Date)
    closes_on: Mapped[dt.date] = mapped_column(Date)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    token_id: Mapped[int | None] = mapped_column(Integer)


class Mail(Base):
    """The outbox (shared/mail/outbox.py): one mail to send, written in the transaction of what
    causes it, and marked sent once the SMTP relay accepted it.

    ``key`` says what caused it (a decision's audit line, a structure's reminder day): a
    cause mails once. ``message_id`` is drawn with the row, so that the one resend there can
    be — a crash between the relay's acceptance and this row's update — carries the same one.
    """

    __tablename__ = "mails"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    structure_id: Mapped[str] = mapped_column(String(32))
    # A reminder's day (closing day minus one of BILAN_REMINDER_DAYS).
    reminder_day: Mapped[dt.date | None] = mapped_column(Date)
    recipient: Mapped[str] = mapped_column(String(254))
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Being sent by a worker until then; past it, the worker is taken for dead.
    claimed_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (
        Index(
            "ix_mails_pending",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
        Index("ix_mails_structure", "structure_id", "year"),
        Index("ix_mails_year_kind", "year", "kind"),
    )


class YouthProfileRow(Base):
    """A youth's profile (SPEC §4.2) over the applied batches, and the youth's lock.

    Every claim locks the row of each youth of its events first (shared/pipeline/counters.py):
    the row orders every change to that youth's figures, in every year. ``source_id`` is the
    first reception that gives the profile (None: no profile, every field unknown).
    """

    __tablename__ = "youth_profiles"

    youth_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source_id: Mapped[str | None] = mapped_column(String(128))
    source_on: Mapped[dt.date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(1))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    education_level: Mapped[str | None] = mapped_column(String(8))

    __table_args__ = ({"postgresql_with": {"fillfactor": 80}},)


class ProfileCounts(Counted, Base):
    """The COUNTED figures of the youths of one profile category in a (year, scope): the
    rows of ``GET /v1/figures/breakdown?by=sex|age|education_level`` (shared/profiles.py)."""

    __tablename__ = "profile_counts"

    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    scope: Mapped[str] = mapped_column(String(48), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    category: Mapped[str] = mapped_column(String(8), primary_key=True)
