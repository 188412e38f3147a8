"""tenant policies read their settings once per statement (servicekit.tenancy)

Every ``current_setting(...)`` in a row-level-security policy is wrapped in a scalar
sub-select, so PostgreSQL evaluates it as an initplan instead of once per scanned row.

Revision ID: e1a0c0de0004
Revises: 68c458fa7fbf
Create Date: 2026-12-02 20:00:00
"""

from collections.abc import Sequence

from servicekit.tenancy import hoist_settings_ops, unhoist_settings_ops

revision: str = "e1a0c0de0004"
down_revision: str | None = "68c458fa7fbf"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    hoist_settings_ops()


def downgrade() -> None:
    unhoist_settings_ops()
