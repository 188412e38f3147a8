"""the members finance invoices keep the membership's revision, so a late member event
changes nothing

Revision ID: f1a0c0de0007
Revises: f1a0c0de0005
Create Date: 2026-12-07 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f1a0c0de0007"
down_revision: str | None = "f1a0c0de0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("members", sa.Column("revision", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("members", "revision")
