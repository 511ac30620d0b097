"""retractions by target

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 18:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "retractions",
        sa.Column("target_id", sa.String(length=128), nullable=False),
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("target_id", "event_id", name=op.f("pk_retractions")),
    )
    op.execute(
        "INSERT INTO retractions (target_id, event_id) "
        "SELECT retracts, event_id FROM events WHERE type = 'retraction'"
    )


def downgrade() -> None:
    op.drop_table("retractions")
