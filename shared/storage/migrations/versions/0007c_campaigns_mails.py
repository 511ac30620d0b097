"""the campaign as it runs: declaration windows, structures' contact addresses, the outbox

``campaigns``: a year's declaration window; ``structures.email``: the contact the
campaign's mails go to; ``mails``: the outbox (shared/mail/outbox.py).

Revision ID: 0007c
Revises: 0006p
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007c"
down_revision: str | None = "0006p"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("structures") as batch:
        batch.add_column(sa.Column("email", sa.String(254), nullable=True))
    op.create_table(
        "campaigns",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_campaigns")),
    )
    op.create_table(
        "mails",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("structure_id", sa.String(32), nullable=False),
        sa.Column("reminder_day", sa.Date(), nullable=True),
        sa.Column("recipient", sa.String(254), nullable=False),
        sa.Column("message_id", sa.String(200), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mails")),
        sa.UniqueConstraint("key", name=op.f("uq_mails_key")),
        sa.UniqueConstraint("message_id", name=op.f("uq_mails_message_id")),
    )
    op.create_index(
        "ix_mails_pending",
        "mails",
        ["next_attempt_at"],
        postgresql_where=sa.text("status = 'pending'"),
        sqlite_where=sa.text("status = 'pending'"),
    )
    op.create_index("ix_mails_structure", "mails", ["structure_id", "year"])
    op.create_index("ix_mails_year_kind", "mails", ["year", "kind"])


def downgrade() -> None:
    op.drop_table("mails")
    op.drop_table("campaigns")
    with op.batch_alter_table("structures") as batch:
        batch.drop_column("email")
