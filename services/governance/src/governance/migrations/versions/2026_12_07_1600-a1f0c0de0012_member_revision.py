"""the roster keeps the membership's revision, so a late member event changes nothing; an
organisation's memberships are found by organisation

Revision ID: a1f0c0de0012
Revises: a1f0c0de0011
Create Date: 2026-12-07 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a1f0c0de0012"
down_revision: str | None = "a1f0c0de0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("members", sa.Column("revision", sa.Integer(), nullable=True))
    # A seat follows the organisation's membership in force, looked up by organisation.
    op.create_index(
        "ix_members_alliance_organization", "members", ["alliance_id", "organization_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_members_alliance_organization", table_name="members")
    op.drop_column("members", "revision")
