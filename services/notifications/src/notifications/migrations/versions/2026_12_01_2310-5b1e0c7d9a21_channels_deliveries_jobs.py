"""channels, deliveries, preferences and jobs

Revision ID: 5b1e0c7d9a21
Revises: 989d5d90a736
Create Date: 2026-12-01 23:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from servicekit.tenancy import tenant_policy_sql

revision: str = "5b1e0c7d9a21"
down_revision: str | None = "989d5d90a736"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IS_PERSON = "user_id = current_setting('app.user_id', true)"
NOW = sa.text("now()")


def upgrade() -> None:
    op.add_column("notifications", sa.Column("kind", sa.String(length=60), nullable=True))
    op.add_column(
        "notifications",
        sa.Column("internal", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "alliances",
        sa.Column("alliance_id", sa.UUID(), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("name_zh", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", name=op.f("pk_alliances")),
    )
    op.create_table(
        "members",
        sa.Column("membership_id", sa.UUID(), nullable=False),
        sa.Column("alliance_id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("tier", sa.String(length=40), nullable=False),
        sa.Column("contact_user_id", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("membership_id", name=op.f("pk_members")),
    )
    op.create_index("ix_members_alliance_active", "members", ["alliance_id", "active"])
    op.create_table(
        "recipient_settings",
        sa.Column("alliance_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.PrimaryKeyConstraint("alliance_id", "user_id", name=op.f("pk_recipient_settings")),
    )
    op.create_table(
        "preferences",
        sa.Column("alliance_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("channels", postgresql.ARRAY(sa.String(length=20)), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=True),
        sa.PrimaryKeyConstraint("alliance_id", "user_id", "kind", name=op.f("pk_preferences")),
    )
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("alliance_id", sa.UUID(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoints")),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("alliance_id", sa.UUID(), nullable=False),
        sa.Column("event_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "next_attempt_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False
        ),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint(
            "event_id",
            "kind",
            "channel",
            "recipient",
            name=op.f("uq_deliveries_event_id_kind_channel_recipient"),
        ),
    )
    op.create_index(
        "ix_deliveries_due",
        "deliveries",
        ["next_attempt_at"],
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        "ix_deliveries_alliance_channel", "deliveries", ["alliance_id", "channel", "created_at"]
    )
    op.create_table(
        "delivery_attempts",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("alliance_id", sa.UUID(), nullable=False),
        sa.Column("delivery_id", sa.UUID(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_delivery_attempts_delivery_id_deliveries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_attempts")),
        sa.UniqueConstraint(
            "delivery_id", "number", name=op.f("uq_delivery_attempts_delivery_id_number")
        ),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("alliance_id", sa.UUID(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("key", name=op.f("uq_jobs_key")),
    )
    op.create_index("ix_jobs_due", "jobs", ["due_at"], postgresql_where=sa.text("done_at IS NULL"))
    for statement in (
        *tenant_policy_sql("alliances"),
        *tenant_policy_sql("members"),
        # A person reads and sets their own address and preferences in any alliance.
        *tenant_policy_sql("recipient_settings", extra_using=IS_PERSON, extra_check=IS_PERSON),
        *tenant_policy_sql("preferences", extra_using=IS_PERSON, extra_check=IS_PERSON),
        *tenant_policy_sql("webhook_endpoints"),
        *tenant_policy_sql("deliveries"),
        *tenant_policy_sql("delivery_attempts"),
        *tenant_policy_sql("jobs"),
    ):
        op.execute(statement)


def downgrade() -> None:
    for table in (
        "jobs",
        "delivery_attempts",
        "deliveries",
        "webhook_endpoints",
        "preferences",
        "recipient_settings",
        "members",
        "alliances",
    ):
        op.drop_table(table)
    op.drop_column("notifications", "internal")
    op.drop_column("notifications", "kind")
