"""a motion the secretariat's review did not send on keeps the reasons (AITISA Art.5, 6)

Revision ID: a1f0c0de0011
Revises: a1f0c0de0010
Create Date: 2026-12-04 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a1f0c0de0011"
down_revision: str | None = "a1f0c0de0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("motions", sa.Column("declined_reasons", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("motions", "declined_reasons")
