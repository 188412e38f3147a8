"""parked events (servicekit.events.tables): the dead letters of the consumers

Revision ID: 9a7ced000001
Revises: ca1e0da70001
Create Date: 2026-12-03 15:00:00
"""

from collections.abc import Sequence

from servicekit.events.tables import create_parked_ops, drop_parked_ops

revision: str = "9a7ced000001"
down_revision: str | None = "ca1e0da70001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_parked_ops()


def downgrade() -> None:
    drop_parked_ops()
