"""retention: the purged years and the profiles their first receptions still give

``purged_years``: the years closed by ``bilan purge`` (``purging``, then ``purged``);
``retained_profiles``: the profile a purged first reception gives a youth counted in a later
year (SPEC §4.2, §6).

Revision ID: 0009r
Revises: 0008y
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009r"
down_revision: str | None = "0008y"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "purged_years",
        sa.Column("year", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("youths", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_purged_years")),
    )
    op.create_table(
        "retained_profiles",
        sa.Column("youth_id", sa.String(length=64), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("education_level", sa.String(length=8), nullable=True),
        sa.PrimaryKeyConstraint("youth_id", name=op.f("pk_retained_profiles")),
    )


def downgrade() -> None:
    op.drop_table("retained_profiles")
    op.drop_table("purged_years")
