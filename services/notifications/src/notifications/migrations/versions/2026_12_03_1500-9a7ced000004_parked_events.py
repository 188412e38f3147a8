"""parked events (servicekit.events.tables): the dead letters of the consumers

Revision ID: 9a7ced000004
Revises: e1a0c0de0004
Create Date: 2026-12-03 15:00:00
"""

from collections.abc import Sequence

from servicekit.events.tables import create_parked_ops, drop_parked_ops

revision: str = "9a7ced000004"
down_revision: str | None = "e1a0c0de0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_parked_ops()


def downgrade() -> None:
    drop_parked_ops()
