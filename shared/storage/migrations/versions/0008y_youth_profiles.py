"""profiles of youths: each youth's profile (and lock), the profile cells, the profile events

``youth_profiles``: a youth's profile over the applied batches, locked by every claim
(shared/pipeline/counters.py); ``profile_counts``: the figures per (year, scope, dimension,
category) (SPEC §4.2); ``ix_events_profiles``: the first receptions that carry a profile;
``ix_youth_state_youth_id``: a youth's years, moved when its profile changes.
As revisions 0004 and 0006l did, the counters are rebuilt by the workers from the log under
the new code: every batch is marked pending again (``pending_events`` says how much is left).

Revision ID: 0008y
Revises: 0007c
Create Date: 2026-12-08 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008y"
down_revision: str | None = "0007c"
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
PROFILE_EVENTS = (
    "type = 'first_reception' AND (youth_sex IS NOT NULL OR youth_birth_year IS NOT NULL "
    "OR youth_education_level IS NOT NULL)"
)


def upgrade() -> None:
    op.create_table(
        "youth_profiles",
        sa.Column("youth_id", sa.String(64), nullable=False),
        sa.Column("source_id", sa.String(128), nullable=True),
        sa.Column("source_on", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(1), nullable=True),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("education_level", sa.String(8), nullable=True),
        sa.PrimaryKeyConstraint("youth_id", name=op.f("pk_youth_profiles")),
        postgresql_with={"fillfactor": 80},
    )
    op.create_table(
        "profile_counts",
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("scope", sa.String(48), nullable=False),
        sa.Column("dimension", sa.String(16), nullable=False),
        sa.Column("category", sa.String(8), nullable=False),
        *(sa.Column(key, sa.BigInteger(), nullable=False) for key in COUNTED),
        sa.PrimaryKeyConstraint(
            "year", "scope", "dimension", "category", name=op.f("pk_profile_counts")
        ),
    )
    with op.batch_alter_table("events") as batch:
        batch.create_index(
            "ix_events_profiles",
            ["youth_id"],
            postgresql_where=sa.text(PROFILE_EVENTS),
            sqlite_where=sa.text(PROFILE_EVENTS),
        )
    op.create_index("ix_youth_state_youth_id", "youth_state", ["youth_id"])
    # The profile cells and profiles hold what the applied batches give: rebuilt from the log.
    op.execute("DELETE FROM youth_state")
    op.execute("DELETE FROM figure_counts")
    op.execute("UPDATE batches SET applied_at = NULL WHERE event_count > 0")


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_index("ix_events_profiles")
    op.drop_index("ix_youth_state_youth_id", table_name="youth_state")
    op.drop_table("profile_counts")
    op.drop_table("youth_profiles")
