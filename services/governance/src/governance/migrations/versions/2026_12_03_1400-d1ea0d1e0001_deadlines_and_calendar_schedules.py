"""deadlines and calendar schedules

Revision ID: d1ea0d1e0001
Revises: e1a0c0de0002
Create Date: 2026-12-03 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from servicekit.calendars import create_table_ops, drop_table_ops
from servicekit.tenancy import tenant_policy_sql

revision: str = "d1ea0d1e0001"
down_revision: str | None = "e1a0c0de0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_table_ops()
    op.create_table(
        "deadlines",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("alliance_id", sa.UUID(), nullable=False),
        sa.Column("subject_type", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.UUID(), nullable=False),
        sa.Column("deadline", sa.String(length=60), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("title_zh", sa.Text(), nullable=False),
        sa.Column("title_en", sa.Text(), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("calendar", sa.String(length=2), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("provisional_reason", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("recipient_roles", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("recipient_users", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("moved_from", sa.Date(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadlines")),
        sa.UniqueConstraint(
            "subject_id", "deadline", name=op.f("uq_deadlines_subject_id_deadline")
        ),
    )
    for statement in tenant_policy_sql("deadlines"):
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("deadlines")
    drop_table_ops()
