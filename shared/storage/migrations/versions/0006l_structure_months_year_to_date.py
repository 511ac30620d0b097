"""live counters: each structure's months, and the increments of the year to date

No table changes: ``figure_counts`` gains cells of two new kinds — a structure's month
(``"2007-03"``, ``"structure:…"``) and the increment cells of the year to date
(``"2007+03"``, every scope; shared/pipeline/codes.py). As revision 0004 did, the counters are
rebuilt by the workers from the log under the new code: every batch is marked pending
again, and until they are done ``pending_events`` says how much is left.

Revision ID: 0006l
Revises: 0005
Create Date: 2026-12-07 09:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006l"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM figure_counts")
    op.execute("DELETE FROM youth_state")
    op.execute("UPDATE batches SET applied_at = NULL WHERE event_count > 0")


def downgrade() -> None:
    # Revision 0005's code reads the cells it knows and ignores the others: the new ones go.
    op.execute(
        "DELETE FROM figure_counts WHERE period LIKE '____+__' "
        "OR (period LIKE '____-__' AND scope LIKE 'structure:%')"
    )
