"""audit log and replay guard (servicekit.audit)

Revision ID: 68c458fa7fbf
Revises: 5b1e0c7d9a21
Create Date: 2026-12-01 23:40:00
"""

from collections.abc import Sequence

from servicekit.audit import downgrade_ops, upgrade_ops

revision: str = "68c458fa7fbf"
down_revision: str | None = "5b1e0c7d9a21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    upgrade_ops()


def downgrade() -> None:
    downgrade_ops()
