"""calendar schedules (servicekit.calendars): the official holiday schedules loaded

Revision ID: ca1e0da70001
Revises: e1a0c0de0001
Create Date: 2026-12-03 14:00:00
"""

from collections.abc import Sequence

from servicekit.calendars import create_table_ops, drop_table_ops

revision: str = "ca1e0da70001"
down_revision: str | None = "e1a0c0de0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_table_ops()


def downgrade() -> None:
    drop_table_ops()
