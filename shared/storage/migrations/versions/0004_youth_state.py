"""live counters per (year, youth); retractions filed by (year, youth)

The live counters are derived from the log: this revision replaces their tables
(``youth_facts`` per (period, scope, youth) by ``youth_state`` per (year, youth),
shared/pipeline/counters.py) and marks every batch pending again, so that the workers
rebuild the counters from the log under the new protocol. Until they are done,
``pending_events`` says how much is left.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 12:00:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _codes_type() -> sa.types.TypeEngine[Any]:
    if op.get_bind().dialect.name == "postgresql":
        return postgresql.ARRAY(sa.Integer())
    return sa.Text()


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "structure_numbers",
        sa.Column("number", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("structure_id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_structure_numbers")),
        sa.UniqueConstraint("structure_id", name=op.f("uq_structure_numbers_structure_id")),
    )
    op.execute(
        "INSERT INTO structure_numbers (structure_id) "
        "SELECT structure_id FROM structures ORDER BY structure_id"
    )

    op.create_table(
        "youth_state",
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("youth_id", sa.String(length=64), nullable=False),
        sa.Column("codes", _codes_type(), nullable=False),
        sa.PrimaryKeyConstraint("year", "youth_id", name=op.f("pk_youth_state")),
        postgresql_with={"fillfactor": 80},
    )
    op.drop_table("youth_facts")

    op.drop_table("retractions")
    op.create_table(
        "retractions",
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("youth_id", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("target_id", sa.String(length=128), nullable=False),
        sa.Column("batch_id", sa.String(length=32), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("structure_id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("year", "youth_id", "event_id", name=op.f("pk_retractions")),
    )
    with op.batch_alter_table("retractions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_retractions_target_id"), ["target_id"], unique=False)
    year = (
        "CAST(EXTRACT(YEAR FROM occurred_on) AS SMALLINT)"
        if postgres
        else "CAST(strftime('%Y', occurred_on) AS INTEGER)"
    )
    op.execute(
        "INSERT INTO retractions "
        "(year, youth_id, event_id, target_id, batch_id, occurred_on, structure_id) "
        f"SELECT {year}, youth_id, event_id, retracts, batch_id, occurred_on, structure_id "
        "FROM events WHERE type = 'retraction'"
    )

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_events_retracts",
            postgresql_where=sa.text("retracts IS NOT NULL"),
            sqlite_where=sa.text("retracts IS NOT NULL"),
        )
        batch_op.drop_column("retracted")

    # Rebuilt by the workers from the log.
    op.execute("DELETE FROM figure_counts")
    op.execute("UPDATE batches SET applied_at = NULL WHERE event_count > 0")


def downgrade() -> None:
    raise NotImplementedError("the counters of revision 0003 cannot be rebuilt by a downgrade")
