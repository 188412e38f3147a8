"""The outbox and inbox tables every service has, and the migration that creates them.

Both carry the alliance id and sit under forced row-level security like any tenant table:
a request may only write events of the alliances in its scope, and only the relay (scope: all
alliances) may read the outbox back.
"""

from __future__ import annotations

from typing import Any

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
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Index("ix_outbox_unpublished", "position",
                 postgresql_where=sa.text("published_at IS NULL")),
    )
    inbox = sa.Table(
        "inbox",
        metadata,
        sa.Column("consumer", sa.Text, primary_key=True),
        sa.Column("event_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("alliance_id", UUID(as_uuid=True), nullable=True),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )
    return outbox, inbox


def create_event_tables(op: Any) -> None:
    """For a service's first Alembic revision: create outbox and inbox with their policies."""
    metadata = sa.MetaData()
    outbox, inbox = event_tables(metadata)
    bind = op.get_bind()
    metadata.create_all(bind)
    for table, using in ((outbox, all_alliances_only()), (inbox, None)):
        # A NULL alliance id marks a platform-wide event (an organisation's record).
        for statement in tenant_policy_sql(table.name, using_override=using, allow_null=True):
            op.execute(statement)


def drop_event_tables(op: Any) -> None:
    op.drop_table("inbox")
    op.drop_table("outbox")
