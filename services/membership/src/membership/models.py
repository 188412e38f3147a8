"""Membership's tables: alliances (the tenants), charter versions, organisations, applications,
memberships, and the history of every change.

``organizations`` is the one platform-wide table (the same company may belong to several
alliances); every other table carries the alliance id under forced row-level security.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from servicekit.db import metadata
from servicekit.events.tables import event_tables

SOURCE = "/concord/membership"

OPEN_APPLICATION_STATES = ("submitted", "forwarded", "returned")


class Base(DeclarativeBase):
    metadata = metadata()


outbox, inbox = event_tables(Base.metadata)


def _now() -> sa.ColumnElement[datetime]:
    return sa.func.now()


class Alliance(Base):
    __tablename__ = "alliances"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(sa.Text)
    name_en: Mapped[str] = mapped_column(sa.Text)
    template: Mapped[str] = mapped_column(sa.String(40))
    charter_version: Mapped[int] = mapped_column(sa.Integer, default=1)
    created_by: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())


class CharterVersion(Base):
    __tablename__ = "charter_versions"

    alliance_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), sa.ForeignKey("alliances.id"), primary_key=True
    )
    version: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSONB)
    adopted_by: Mapped[str] = mapped_column(sa.Text)
    reason: Mapped[str] = mapped_column(sa.Text)
    adopted_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())


class Organization(Base):
    __tablename__ = "organizations"
    __table_args__ = (sa.UniqueConstraint("country", "registration_number"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    name_zh: Mapped[str] = mapped_column(sa.Text)
    name_en: Mapped[str] = mapped_column(sa.Text, default="")
    kind: Mapped[str] = mapped_column(sa.String(40))
    country: Mapped[str] = mapped_column(sa.String(2))
    registration_number: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())


class Application(Base):
    __tablename__ = "applications"
    __table_args__ = (
        # At most one open application of an organisation to an alliance, enforced by the
        # database so that concurrent submissions cannot both succeed.
        sa.Index(
            "uq_applications_open",
            "alliance_id",
            "organization_id",
            unique=True,
            postgresql_where=sa.text("status IN ('submitted', 'forwarded', 'returned')"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    alliance_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), sa.ForeignKey("alliances.id"), index=True
    )
    organization_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), sa.ForeignKey("organizations.id")
    )
    tier: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[str] = mapped_column(sa.String(20), default="submitted")
    contact_user_id: Mapped[str] = mapped_column(sa.Text)
    contact_name: Mapped[str] = mapped_column(sa.Text)
    contact_email: Mapped[str] = mapped_column(sa.Text)
    submitted_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=_now()
    )
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(sa.Text)
    decision_reason: Mapped[str | None] = mapped_column(sa.Text)


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (
        sa.UniqueConstraint("alliance_id", "organization_id"),
        sa.Index("ix_memberships_alliance_tier_name", "alliance_id", "tier", "sort_name", "id"),
        sa.Index("ix_memberships_alliance_name", "alliance_id", "sort_name", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    alliance_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), sa.ForeignKey("alliances.id")
    )
    organization_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), sa.ForeignKey("organizations.id")
    )
    # Kept here (not only on the organisation) so members list in name order with an index.
    sort_name: Mapped[str] = mapped_column(sa.Text)
    country: Mapped[str] = mapped_column(sa.String(2))
    tier: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[str] = mapped_column(sa.String(20), default="active")
    contact_user_id: Mapped[str] = mapped_column(sa.Text)
    contact_name: Mapped[str] = mapped_column(sa.Text)
    contact_email: Mapped[str] = mapped_column(sa.Text)
    application_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    joined_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())


class HistoryEntry(Base):
    """One change of an application or membership: who, when, why, under which rule."""

    __tablename__ = "membership_history"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    alliance_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), sa.ForeignKey("alliances.id")
    )
    application_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), index=True)
    membership_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), index=True)
    change: Mapped[str] = mapped_column(sa.String(40))
    from_value: Mapped[str | None] = mapped_column(sa.Text)
    to_value: Mapped[str | None] = mapped_column(sa.Text)
    actor: Mapped[str] = mapped_column(sa.Text)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    rule: Mapped[str | None] = mapped_column(sa.Text)
    charter_version: Mapped[int] = mapped_column(sa.Integer)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())


# Which column holds the alliance id of each tenant table (for policies and the catalog test).
TENANT_TABLES = {
    "alliances": "id",
    "charter_versions": "alliance_id",
    "applications": "alliance_id",
    "memberships": "alliance_id",
    "membership_history": "alliance_id",
}
PLATFORM_TABLES = {"organizations"}
