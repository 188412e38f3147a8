"""audit log and replay guard (servicekit.audit)

Revision ID: 165f671a0caa
Revises: ae9259b9db92
Create Date: 2026-12-01 23:40:00
"""

from collections.abc import Sequence

from servicekit.audit import downgrade_ops, upgrade_ops

revision: str = "165f671a0caa"
down_revision: str | None = "ae9259b9db92"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    upgrade_ops()


def downgrade() -> None:
    downgrade_ops()
