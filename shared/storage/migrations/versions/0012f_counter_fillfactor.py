"""counter tables' fillfactor: room on each page of figure_counts and profile_counts

Every claim updates most of a year's cells; with half of each page free, an update stays on
its page (HOT) and leaves the primary key alone (docs/performance.md, "The apply path").
Pages written before keep their packing until they are rewritten (VACUUM FULL).

Revision ID: 0012f
Revises: 0011p
Create Date: 2026-12-07 19:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012f"
down_revision: str | None = "0011p"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("figure_counts", "profile_counts")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} SET (fillfactor = 50)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} RESET (fillfactor)")
