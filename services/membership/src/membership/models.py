"""Membership's tables: alliances (the tenants), charter versions, organisations, applications,
memberships, and the history of every change.

``organizations`` is the one platform-wide table (the same company may belong to several
alliances); every other table carries the alliance id under forced row-level security.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from contracts.membership import ApplicationKind, ApplicationStatus, MembershipStatus
from servicekit.calendars import schedule_table
from servicekit.db import metadata
from servicekit.events.tables import event_tables

SOURCE = "/concord/membership"

OPEN_APPLICATION_STATES = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.FORWARDED,
    ApplicationStatus.RETURNED,
)


class HistoryChange(StrEnum):
    """What a history entry records a change of."""

    STATUS = "status"
    TIER = "tier"
    CONTACT = "contact"
    APPLICATION_STATUS = "application_status"


class Base(DeclarativeBase):
    metadata = metadata()


outbox, inbox = event_tables(Base.metadata)
calendar_schedules = schedule_table(Base.metadata)
"""The official holiday schedules the platform operator loaded (``membership.calendars``)."""


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
    certificates_issued: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
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
    motion_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), doc="the governance motion that adopted it, when voted on the platform"
    )


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
            "kind",
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
    kind: Mapped[str] = mapped_column(
        sa.String(20), default=ApplicationKind.ADMISSION, server_default="admission"
    )
    membership_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    tier: Mapped[str | None] = mapped_column(sa.String(40), doc="asked for (admission, change)")
    status: Mapped[str] = mapped_column(sa.String(20), default=ApplicationStatus.SUBMITTED)
    submitted_by: Mapped[str] = mapped_column(sa.Text, server_default="")
    grounds: Mapped[str | None] = mapped_column(sa.Text, doc="why (withdrawal, expulsion)")
    forwarded_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    decided_by_body: Mapped[str | None] = mapped_column(sa.String(40))
    decision_reference: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
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
        # One active membership per organisation and alliance; one that left may rejoin.
        sa.Index(
            "uq_memberships_active",
            "alliance_id",
            "organization_id",
            unique=True,
            postgresql_where=sa.text("status = 'active'"),
        ),
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
    status: Mapped[str] = mapped_column(sa.String(20), default=MembershipStatus.ACTIVE)
    contact_user_id: Mapped[str] = mapped_column(sa.Text)
    contact_name: Mapped[str] = mapped_column(sa.Text)
    contact_email: Mapped[str] = mapped_column(sa.Text)
    application_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    certificate_number: Mapped[str | None] = mapped_column(sa.Text)
    joined_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())
    ended_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # One more with each change; its events carry it, so consumers can tell a late one.
    revision: Mapped[int] = mapped_column(sa.Integer, server_default="0")


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


class Document(Base):
    """A material handed in with an application: an uploaded file (kept with its sha256) or a
    reference to a paper document."""

    __tablename__ = "documents"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    alliance_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), sa.ForeignKey("alliances.id")
    )
    application_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), sa.ForeignKey("applications.id"), index=True
    )
    material: Mapped[str] = mapped_column(sa.String(60), doc="the charter's material id")
    file_name: Mapped[str | None] = mapped_column(sa.Text)
    content_type: Mapped[str | None] = mapped_column(sa.String(100))
    size: Mapped[int | None] = mapped_column(sa.Integer)
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    content: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    reference: Mapped[str | None] = mapped_column(sa.Text)
    uploaded_by: Mapped[str] = mapped_column(sa.Text)
    uploaded_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())


class RoleAssignment(Base):
    """A person holding a role in an alliance (secretariat staff, chair, …)."""

    __tablename__ = "role_assignments"
    __table_args__ = (
        sa.Index(
            "uq_role_assignments_current",
            "alliance_id",
            "user_id",
            "role",
            unique=True,
            postgresql_where=sa.text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    alliance_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), sa.ForeignKey("alliances.id")
    )
    user_id: Mapped[str] = mapped_column(sa.Text)
    name: Mapped[str] = mapped_column(sa.Text)
    role: Mapped[str] = mapped_column(sa.String(40))
    organization_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    assigned_by: Mapped[str] = mapped_column(sa.Text)
    assigned_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=_now())
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    revoked_by: Mapped[str | None] = mapped_column(sa.Text)


class AbsenceStreak(Base):
    """Consecutive absences of a member from the meetings of one body (AII Art.13)."""

    __tablename__ = "absence_streaks"

    alliance_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), sa.ForeignKey("alliances.id")
    )
    membership_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), sa.ForeignKey("memberships.id"), primary_key=True
    )
    body: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    count: Mapped[int] = mapped_column(sa.Integer, default=0)
    meetings: Mapped[list[str]] = mapped_column(
        JSONB, default=list, doc="the meetings missed in a row"
    )
    last_held_on: Mapped[date | None] = mapped_column(
        sa.Date, doc="the last meeting of the run that last demoted (counting starts after it)"
    )


class MeetingAttendance(Base):
    """A member's attendance at one meeting of one body, as governance recorded it: kept so
    absences are counted in the order the meetings were held, whatever order they arrive in."""

    __tablename__ = "meeting_attendance"

    alliance_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), sa.ForeignKey("alliances.id")
    )
    membership_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), sa.ForeignKey("memberships.id"), primary_key=True
    )
    body: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    held_on: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(10))


class MembershipCount(Base):
    """How many memberships of an alliance are in each status and tier: kept by PostgreSQL
    (statement triggers on ``memberships``, in the same transaction) so a members page reads
    its totals per tier and ``totalCount`` from a handful of rows instead of counting the
    alliance again on every page. Only the trigger writes it; the service role reads."""

    __tablename__ = "membership_counts"

    alliance_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), sa.ForeignKey("alliances.id"), primary_key=True
    )
    status: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    tier: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    members: Mapped[int] = mapped_column(sa.BigInteger)


# Which column holds the alliance id of each tenant table (for policies and the catalog test).
TENANT_TABLES = {
    "alliances": "id",
    "charter_versions": "alliance_id",
    "applications": "alliance_id",
    "memberships": "alliance_id",
    "membership_history": "alliance_id",
    "documents": "alliance_id",
    "role_assignments": "alliance_id",
    "absence_streaks": "alliance_id",
    "meeting_attendance": "alliance_id",
    "membership_counts": "alliance_id",
}
PLATFORM_TABLES = {"organizations", "calendar_schedules"}
