"""Notifications' tables: one row per notice per recipient, never filed twice."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID
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
    kind: Mapped[str | None] = mapped_column(sa.String(60), doc="the kind of notice")
    internal: Mapped[bool] = mapped_column(
        sa.Boolean, default=False, doc="confidential: not for outside the alliance"
    )


class StaffMember(Base):
    """Who holds a role in an alliance (from ``membership.role.*``): whom to tell of new work."""

    __tablename__ = "staff_members"
    __table_args__ = (sa.Index("ix_staff_members_alliance_role", "alliance_id", "role"),)

    assignment_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    alliance_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    user_id: Mapped[str] = mapped_column(sa.Text)
    role: Mapped[str] = mapped_column(sa.String(40))
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)


class SeatHolder(Base):
    """Who sits on which body of an alliance (from ``governance.seat.changed``): whom to tell
    what the charter reports to a body (China-ASEAN Art.27: the audit, 报理事会审查)."""

    __tablename__ = "seat_holders"
    __table_args__ = (sa.Index("ix_seat_holders_alliance_body", "alliance_id", "body"),)

    seat_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    alliance_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    body: Mapped[str] = mapped_column(sa.String(40))
    user_id: Mapped[str | None] = mapped_column(sa.Text)
    active: Mapped[bool] = mapped_column(sa.Boolean)
    position: Mapped[int] = mapped_column(sa.BigInteger)
    """The newest change applied (``SeatChanged.position``): an older one arriving late is
    ignored."""


TENANT_TABLES = {
    "notifications": "alliance_id",
    "staff_members": "alliance_id",
    "seat_holders": "alliance_id",
}
PLATFORM_TABLES: set[str] = set()


class Alliance(Base):
    """The alliances' names (from ``membership.alliance.created``), for texts that name them."""

    __tablename__ = "alliances"

    alliance_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    slug: Mapped[str] = mapped_column(sa.Text)
    name_zh: Mapped[str] = mapped_column(sa.Text)
    name_en: Mapped[str] = mapped_column(sa.Text)


class Member(Base):
    """An alliance's memberships and their contact persons (from ``membership.member.*``):
    whom an announcement reaches (AII Art.12: every member has the right to the alliance's
    information)."""

    __tablename__ = "members"
    __table_args__ = (sa.Index("ix_members_alliance_active", "alliance_id", "active"),)

    membership_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    alliance_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    organization_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    tier: Mapped[str] = mapped_column(sa.String(40))
    contact_user_id: Mapped[str | None] = mapped_column(sa.Text)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    # The membership's revision this row stands at: an event of an older one changes nothing.
    revision: Mapped[int | None] = mapped_column(sa.Integer)


class RecipientSettings(Base):
    """A person's address and default language for an alliance's notices (set by the person)."""

    __tablename__ = "recipient_settings"

    alliance_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    user_id: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    email: Mapped[str | None] = mapped_column(sa.Text)
    language: Mapped[str] = mapped_column(sa.String(2), default="zh")


class Preference(Base):
    """Which channels and language a person chose for one kind of notice."""

    __tablename__ = "preferences"

    alliance_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    user_id: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    channels: Mapped[list[str]] = mapped_column(sa.ARRAY(sa.String(20)))
    language: Mapped[str | None] = mapped_column(sa.String(2))


class WebhookEndpoint(Base):
    """An alliance's endpoint that receives its notices, signed by the Standard Webhooks spec."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    alliance_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    url: Mapped[str] = mapped_column(sa.Text)
    secret: Mapped[str] = mapped_column(sa.Text, doc="whsec_… (base64), shown once at creation")
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


class Delivery(Base):
    """One notice to one recipient on one channel (email to a person, webhook to an endpoint).

    The unique key is (event, kind, channel, recipient): the row is written in the transaction
    that handles the event, so redeliveries, restarts and replicas cannot add a second one.
    ``payload`` is the rendered message, so sending needs nothing but the row.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "kind", "channel", "recipient"),
        sa.Index(
            "ix_deliveries_due",
            "next_attempt_at",
            postgresql_where=sa.text("status = 'pending'"),
        ),
        sa.Index("ix_deliveries_alliance_channel", "alliance_id", "channel", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    alliance_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    event_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    kind: Mapped[str] = mapped_column(sa.String(60))
    channel: Mapped[str] = mapped_column(sa.String(20))
    recipient: Mapped[str] = mapped_column(sa.Text, doc="a user id, or a webhook endpoint id")
    target: Mapped[str] = mapped_column(sa.Text, doc="the email address or the endpoint's URL")
    language: Mapped[str] = mapped_column(sa.String(2))
    payload: Mapped[dict[str, object]] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(sa.String(20), default="pending")
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    claimed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


class DeliveryAttempt(Base):
    """Every attempt of a delivery and how it ended (the secretariat's delivery log)."""

    __tablename__ = "delivery_attempts"
    __table_args__ = (sa.UniqueConstraint("delivery_id", "number"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    alliance_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    delivery_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), sa.ForeignKey("deliveries.id", ondelete="CASCADE")
    )
    number: Mapped[int] = mapped_column(sa.Integer)
    started_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    finished_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    ok: Mapped[bool] = mapped_column(sa.Boolean)
    detail: Mapped[str] = mapped_column(sa.Text)


class Job(Base):
    """A notice due at a time (a deadline coming due, overdue): run once by whichever replica
    claims it first (``FOR UPDATE SKIP LOCKED``), in the transaction that files its notices."""

    __tablename__ = "jobs"
    __table_args__ = (
        sa.Index("ix_jobs_due", "due_at", postgresql_where=sa.text("done_at IS NULL")),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    alliance_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    key: Mapped[str] = mapped_column(sa.Text, unique=True, doc="one job per key, however often")
    kind: Mapped[str] = mapped_column(sa.String(60))
    due_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    payload: Mapped[dict[str, object]] = mapped_column(JSONB)
    done_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    cancelled: Mapped[bool] = mapped_column(sa.Boolean, default=False)


TENANT_TABLES.update(
    {
        "alliances": "alliance_id",
        "members": "alliance_id",
        "recipient_settings": "alliance_id",
        "preferences": "alliance_id",
        "webhook_endpoints": "alliance_id",
        "deliveries": "alliance_id",
        "delivery_attempts": "alliance_id",
        "jobs": "alliance_id",
    }
)
