"""the published anonymous edition: its editions, its cells, and which batches are in it

Revision ID: 0006p
Revises: 0006l
Create Date: 2026-12-09 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006p"
down_revision: str | None = "0006l"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTED = (
    "youths_first_reception",
    "youths_in_contact",
    "youths_received",
    "youths_interviewed",
    "interviews",
    "youths_with_access",
    "youths_employment",
    "youths_subsidized_or_work_study",
    "youths_training",
    "civis_entries",
    "civis_exits",
    "civis_exits_durable_employment",
    "civis_exits_non_durable_employment",
    "civis_exits_training",
    "civis_exits_other",
)
UNPUBLISHED = "applied_at IS NOT NULL AND published_in IS NULL"


def upgrade() -> None:
    op.create_table(
        "public_editions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("min_count", sa.Integer(), nullable=False),
        sa.Column("registry_version", sa.String(length=80), nullable=False),
        sa.Column("cells", sa.Integer(), nullable=False),
        sa.Column("components", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_editions")),
    )
    op.create_table(
        "published_cells",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("scope", sa.String(length=48), nullable=False),
        sa.Column("withheld", sa.Integer(), nullable=False),
        sa.Column("edition", sa.Integer(), nullable=False),
        *(sa.Column(key, sa.BigInteger(), nullable=False) for key in COUNTED),
        sa.PrimaryKeyConstraint("period", "scope", name=op.f("pk_published_cells")),
    )
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_in", sa.Integer(), nullable=True))
        batch_op.create_index(
            "ix_batches_unpublished",
            ["applied_at"],
            unique=False,
            postgresql_where=sa.text(UNPUBLISHED),
            sqlite_where=sa.text(UNPUBLISHED),
        )


def downgrade() -> None:
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.drop_index("ix_batches_unpublished")
        batch_op.drop_column("published_in")
    op.drop_table("published_cells")
    op.drop_table("public_editions")
