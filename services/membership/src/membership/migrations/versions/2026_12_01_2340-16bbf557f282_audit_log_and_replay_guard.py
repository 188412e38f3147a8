"""audit log and replay guard (servicekit.audit)

Revision ID: 16bbf557f282
Revises: 20c6782132c4
Create Date: 2026-12-01 23:40:00
"""

from collections.abc import Sequence

from servicekit.audit import downgrade_ops, upgrade_ops

revision: str = "16bbf557f282"
down_revision: str | None = "20c6782132c4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    upgrade_ops()


def downgrade() -> None:
    downgrade_ops()
