"""a membership's revision: one more with each change, carried by its events

Revision ID: e1a0c0de0012
Revises: 9a7ced000001
Create Date: 2026-12-07 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e1a0c0de0012"
down_revision: str | None = "9a7ced000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "memberships", sa.Column("revision", sa.Integer(), server_default="0", nullable=False)
    )


def downgrade() -> None:
    op.drop_column("memberships", "revision")
