"""published profile cells: the nation's and the regions' profile cells of the public edition

``published_profile_cells``: per (year, scope, dimension, category) of the nation and the
regions, the COUNTED figures the latest edition took and the keys it withholds
(shared/publication/edition.py). The next publication finds every profile cell missing from
it and protects every year's profile tables.

Revision ID: 0011p
Revises: 0010a
Create Date: 2026-12-07 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011p"
down_revision: str | None = "0010a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The COUNTED figures as of this revision (a migration does not follow later code).
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


def upgrade() -> None:
    op.create_table(
        "published_profile_cells",
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("scope", sa.String(48), nullable=False),
        sa.Column("dimension", sa.String(16), nullable=False),
        sa.Column("category", sa.String(8), nullable=False),
        sa.Column("withheld", sa.Integer(), nullable=False),
        sa.Column("edition", sa.Integer(), nullable=False),
        *(sa.Column(key, sa.BigInteger(), nullable=False) for key in COUNTED),
        sa.PrimaryKeyConstraint(
            "year", "scope", "dimension", "category", name=op.f("pk_published_profile_cells")
        ),
    )


def downgrade() -> None:
    op.drop_table("published_profile_cells")
