"""The outbox and inbox tables every service has, and the migration that creates them.

Both carry the alliance id and sit under forced row-level security like any tenant table:
a request may only write events of the alliances in its scope, and only the relay (scope: all
alliances) may read the outbox back.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID

from servicekit.tenancy import all_alliances_only, tenant_policy_sql


def event_tables(metadata: sa.MetaData) -> tuple[sa.Table, sa.Table]:
    outbox = sa.Table(
        "outbox",
        metadata,
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("position", sa.BigInteger, sa.Identity(always=True), nullable=False),
        sa.Column("alliance_id", UUID(as_uuid=True), nullable=True),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("envelope", JSONB, nullable=False),
        sa.Column("trace_headers", JSONB, nullable=False, server_default="{}"),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Index(
            "ix_outbox_unpublished", "position", postgresql_where=sa.text("published_at IS NULL")
        ),
    )
    inbox = sa.Table(
        "inbox",
        metadata,
        sa.Column("consumer", sa.Text, primary_key=True),
        sa.Column("event_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("alliance_id", UUID(as_uuid=True), nullable=True),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column(
            "handled_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )
    parked_table(metadata)
    return outbox, inbox


PARKED = "parked_events"


def parked_table(metadata: sa.MetaData) -> sa.Table:
    """Events a consumer could not handle (dead letters): kept with their error until the
    operator replays them (``concord-parked``). Created beside the inbox, whose metadata the
    consumer finds it in."""
    if PARKED in metadata.tables:
        return metadata.tables[PARKED]
    return sa.Table(
        PARKED,
        metadata,
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("consumer", sa.Text, nullable=False),
        sa.Column("event_id", UUID(as_uuid=True), nullable=True),
        sa.Column("alliance_id", UUID(as_uuid=True), nullable=True),
        sa.Column("event_type", sa.Text, nullable=True),
        sa.Column("subject", sa.Text, nullable=False, doc="the NATS subject it came on"),
        sa.Column("payload", sa.Text, nullable=False, doc="the message as received"),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("deliveries", sa.Integer, nullable=False),
        sa.Column(
            "parked_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("replayed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replays", sa.Integer, nullable=False, server_default="0"),
    )


def create_parked_ops() -> None:
    """The migration step that adds ``parked_events`` (read and written by the operator's
    all-alliances scope only: a dead letter may hold any alliance's data)."""
    from alembic import op

    op.create_table(
        PARKED,
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("consumer", sa.Text(), nullable=False),
        sa.Column("event_id", sa.UUID(), nullable=True),
        sa.Column("alliance_id", sa.UUID(), nullable=True),
        sa.Column("event_type", sa.Text(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("deliveries", sa.Integer(), nullable=False),
        sa.Column(
            "parked_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("replayed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replays", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{PARKED}")),
    )
    for statement in tenant_policy_sql(
        PARKED,
        using_override=all_alliances_only(),
        extra_check=all_alliances_only(),
        allow_null=True,
    ):
        op.execute(statement)


def drop_parked_ops() -> None:
    from alembic import op

    op.drop_table(PARKED)


def event_table_policies() -> list[str]:
    """DDL for a service's first revision: outbox and inbox under forced row-level security.

    A NULL alliance id marks a platform-wide event (an organisation's record).
    """
    return [
        *tenant_policy_sql("outbox", using_override=all_alliances_only(), allow_null=True),
        *tenant_policy_sql("inbox", allow_null=True),
    ]
