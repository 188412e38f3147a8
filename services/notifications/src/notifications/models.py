"""Notifications' tables: one row per notice per recipient, never filed twice."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from servicekit.db import metadata
from servicekit.events.tables import event_tables

SOURCE = "/concord/notifications"


class Base(DeclarativeBase):
    metadata = metadata()


outbox, inbox = event_tables(Base.metadata)


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        # The same event never notifies the same person twice, whatever is redelivered.
        sa.UniqueConstraint("event_id", "recipient_id"),
        sa.Index("ix_notifications_recipient_created", "recipient_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    alliance_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    recipient_id: Mapped[str] = mapped_column(sa.Text)
    event_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    event_type: Mapped[str] = mapped_column(sa.Text)
    subject_id: Mapped[str] = mapped_column(sa.Text, doc="what the notice is about")
    title_zh: Mapped[str] = mapped_column(sa.Text)
    title_en: Mapped[str] = mapped_column(sa.Text)
    body_zh: Mapped[str] = mapped_column(sa.Text)
    body_en: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    read_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class StaffMember(Base):
    """Who holds a role in an alliance (from ``membership.role.*``): whom to tell of new work."""

    __tablename__ = "staff_members"
    __table_args__ = (sa.Index("ix_staff_members_alliance_role", "alliance_id", "role"),)

    assignment_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    alliance_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    user_id: Mapped[str] = mapped_column(sa.Text)
    role: Mapped[str] = mapped_column(sa.String(40))
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)


TENANT_TABLES = {"notifications": "alliance_id", "staff_members": "alliance_id"}
PLATFORM_TABLES: set[str] = set()
