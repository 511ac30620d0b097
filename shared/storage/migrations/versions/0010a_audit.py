"""audit: the reads of exact figures and declarations by the hour, the admin actions

``access_reads``: one row per (hour, token, via, kind, scope, year) of reads;
``admin_actions``: every admin action appended (shared/audit/).

Revision ID: 0010a
Revises: 0009r
Create Date: 2026-12-07 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010a"
down_revision: str | None = "0009r"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "access_reads",
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("token_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("via", sa.String(length=8), nullable=False),
        sa.Column("what", sa.String(length=16), nullable=False),
        sa.Column("scope", sa.String(length=48), nullable=False),
        sa.Column("year", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint(
            "hour", "token_id", "via", "what", "scope", "year", name=op.f("pk_access_reads")
        ),
    )
    op.create_table(
        "admin_actions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("scope", sa.String(length=48), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=128), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_actions")),
    )
    op.create_index("ix_admin_actions_at", "admin_actions", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_admin_actions_at", table_name="admin_actions")
    op.drop_table("admin_actions")
    op.drop_table("access_reads")
