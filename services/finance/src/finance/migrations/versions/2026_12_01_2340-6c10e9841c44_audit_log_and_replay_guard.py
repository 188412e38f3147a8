"""audit log and replay guard (servicekit.audit)

Revision ID: 6c10e9841c44
Revises: b7f3c1d2e4a5
Create Date: 2026-12-01 23:40:00
"""

from collections.abc import Sequence

from servicekit.audit import downgrade_ops, upgrade_ops

revision: str = "6c10e9841c44"
down_revision: str | None = "b7f3c1d2e4a5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    upgrade_ops()


def downgrade() -> None:
    downgrade_ops()
