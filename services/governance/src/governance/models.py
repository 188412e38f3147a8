"""Governance's tables: the alliances it has heard of, and their bodies (council, assembly …).

Everything here is tenant data under forced row-level security.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from servicekit.calendars import schedule_table
from servicekit.db import metadata
from servicekit.events.tables import event_tables

SOURCE = "/concord/governance"


class Base(DeclarativeBase):
    metadata = metadata()


outbox, inbox = event_tables(Base.metadata)
calendar_schedules = schedule_table(Base.metadata)


class KnownAlliance(Base):
    """Governance's copy of an alliance and the charter version it runs by (from events)."""

    __tablename__ = "alliances"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(40), unique=True)
    charter_version: Mapped[int] = mapped_column(sa.Integer)


class Body(Base):
    __tablename__ = "bodies"
    __table_args__ = (sa.UniqueConstraint("alliance_id", "kind"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    alliance_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), sa.ForeignKey("alliances.id")
    )
    kind: Mapped[str] = mapped_column(sa.String(40))
    name_zh: Mapped[str] = mapped_column(sa.Text)
    name_en: Mapped[str] = mapped_column(sa.Text)
    min_meetings_per_year: Mapped[int | None] = mapped_column(sa.Integer)
    source: Mapped[str] = mapped_column(sa.Text, doc="the charter article that sets it up")
    charter_version: Mapped[int] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


# --------------------------------------------------------------------------- charters and roster


class CharterVersion(Base):
    """Every charter version governance has heard of (the rule of a vote is taken from the
    version in force when the vote opens, and kept with the vote)."""

    __tablename__ = "charter_versions"

    alliance_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    version: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSONB)


class Member(Base):
    """Membership's roster as governance learns it from member events (a read model)."""

    __tablename__ = "members"
    __table_args__ = (
        sa.Index("ix_members_alliance_organization", "alliance_id", "organization_id"),
    )

    membership_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    alliance_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    organization_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    organization_name: Mapped[str] = mapped_column(sa.Text)
    tier: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[str] = mapped_column(sa.String(20))
    contact_user_id: Mapped[str | None] = mapped_column(sa.Text)
    # The membership's revision this row stands at: an event of an older one changes nothing.
    revision: Mapped[int | None] = mapped_column(sa.Integer)


# --------------------------------------------------------------------------- seats


class Seat(Base):
    """A seat of a body: an organisation's (assembly, council) or a person's (officers,
    committees). The seat row is kept when it is vacated, so its history stays readable."""

    __tablename__ = "seats"
    __table_args__ = (
        sa.UniqueConstraint("alliance_id", "body", "holder_key"),
        # A person leads at most one working group of the alliance (AITISA Art.7(4)).
        sa.Index(
            "uq_seats_one_group_led_per_person",
            "alliance_id",
            "holder_user_id",
            unique=True,
            postgresql_where=sa.text("role = 'group_leader' AND active"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    alliance_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    body: Mapped[str] = mapped_column(sa.String(40))
    holder_key: Mapped[str] = mapped_column(
        sa.Text, doc="'org:<organisation id>' or 'person:<user id>:<role>'"
    )
    organization_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    organization_name: Mapped[str | None] = mapped_column(sa.Text)
    role: Mapped[str | None] = mapped_column(sa.String(40), doc="an officer or committee role")
    holder_user_id: Mapped[str | None] = mapped_column(
        sa.Text, doc="the person who sits: the organisation's named representative"
    )
    holder_name: Mapped[str | None] = mapped_column(sa.Text)
    active: Mapped[bool] = mapped_column(sa.Boolean)
    term_starts_on: Mapped[date | None] = mapped_column(sa.Date)
    term_ends_on: Mapped[date | None] = mapped_column(sa.Date)
    group_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True),
        sa.ForeignKey("working_groups.id"),
        doc="the working group whose member this seat is (body 'working_group')",
    )
    position: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(always=True))


class SeatChange(Base):
    """One change of a seat, with its date and reason (never updated)."""

    __tablename__ = "seat_changes"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    alliance_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    seat_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), sa.ForeignKey("seats.id"))
    change: Mapped[str] = mapped_column(sa.String(30))
    holder_user_id: Mapped[str | None] = mapped_column(sa.Text)
    holder_name: Mapped[str | None] = mapped_column(sa.Text)
    changed_on: Mapped[date] = mapped_column(sa.Date)
    reason: Mapped[str] = mapped_column(sa.Text)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
    position: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(always=True))


# --------------------------------------------------------------------------- meetings


class Meeting(Base):
    __tablename__ = "meetings"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    alliance_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    body: Mapped[str] = mapped_column(sa.String(40))
    title: Mapped[str] = mapped_column(sa.Text)
    mode: Mapped[str] = mapped_column(sa.String(20))
    starts_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    place: Mapped[str | None] = mapped_column(sa.Text)
    link: Mapped[str | None] = mapped_column(sa.Text)
    voting_deadline: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    agenda: Mapped[list[str]] = mapped_column(JSONB, doc="motion ids, in order")
    convened_by: Mapped[str] = mapped_column(sa.Text)
    convened_as: Mapped[str] = mapped_column(sa.Text, doc="the charter actor and its article")
    attendance_closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    group_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True),
        sa.ForeignKey("working_groups.id"),
        doc="the working group that meets (body 'working_group')",
    )
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


class Attendance(Base):
    """A seat's attendance at a meeting: present, represented by a written proxy, or absent."""

    __tablename__ = "attendance"

    meeting_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), sa.ForeignKey("meetings.id"), primary_key=True
    )
    seat_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), sa.ForeignKey("seats.id"), primary_key=True
    )
    alliance_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    status: Mapped[str] = mapped_column(sa.String(10))
    proxy_seat_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), sa.ForeignKey("seats.id")
    )
    proxy_holder_user_id: Mapped[str | None] = mapped_column(sa.Text)
    proxy_document: Mapped[str | None] = mapped_column(
        sa.Text, doc="the written entrustment (书面委托), as given"
    )
    recorded_by: Mapped[str] = mapped_column(sa.Text)
    recorded_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


# --------------------------------------------------------------------------- motions and votes


class Motion(Base):
    """A matter a body decides: one or more stages in the order the charter's procedure sets."""

    __tablename__ = "motions"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    alliance_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    title: Mapped[str] = mapped_column(sa.Text)
    matter: Mapped[str] = mapped_column(sa.String(40))
    matter_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    procedure: Mapped[str | None] = mapped_column(sa.String(60))
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(
        sa.String(20), doc="pending | open | passed | failed | declined"
    )
    outcome: Mapped[str | None] = mapped_column(sa.String(20))
    origin: Mapped[str] = mapped_column(sa.Text, doc="who or which event put it forward")
    origin_event_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), unique=True)
    proposed_by: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    declined_reasons: Mapped[str | None] = mapped_column(
        sa.Text, doc="why the secretariat's review did not send it on (status declined)"
    )


class Stage(Base):
    """One vote of a motion by one body, with the rule snapshotted when it opened and the
    result computed once when it closed."""

    __tablename__ = "stages"
    __table_args__ = (sa.UniqueConstraint("motion_id", "index"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    alliance_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    motion_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), sa.ForeignKey("motions.id"))
    index: Mapped[int] = mapped_column(sa.Integer)
    step: Mapped[str] = mapped_column(sa.String(60))
    body: Mapped[str] = mapped_column(sa.String(40))
    alternatives: Mapped[list[str]] = mapped_column(JSONB)
    stage_matter: Mapped[str] = mapped_column(sa.String(40))
    source: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(20), doc="pending | open | closed | skipped")
    meeting_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), sa.ForeignKey("meetings.id")
    )
    secret: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    charter_version: Mapped[int | None] = mapped_column(sa.Integer)
    rule: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    opened_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    deadline: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    ballot_count: Mapped[int | None] = mapped_column(sa.Integer)
    ballot_list_hash: Mapped[str | None] = mapped_column(sa.String(64))


class Ballot(Base):
    """One seat's ballot on one stage. Inserted once, never updated or deleted (the service
    role has neither privilege)."""

    __tablename__ = "ballots"
    __table_args__ = (sa.UniqueConstraint("stage_id", "seat_id"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    alliance_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    stage_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), sa.ForeignKey("stages.id"))
    seat_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), sa.ForeignKey("seats.id"))
    choice: Mapped[str] = mapped_column(sa.String(10))
    cast_by: Mapped[str] = mapped_column(sa.Text)
    by_proxy: Mapped[bool] = mapped_column(sa.Boolean)
    receipt: Mapped[str] = mapped_column(sa.String(64), unique=True)
    cast_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.clock_timestamp()
    )
    position: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(always=True))


class MinimumNotice(Base):
    """A body's year in which it can no longer hold the charter's minimum of meetings (kept so
    the event is published once)."""

    __tablename__ = "minimum_notices"

    alliance_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    body: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    held: Mapped[int] = mapped_column(sa.Integer)
    minimum: Mapped[int] = mapped_column(sa.Integer)


class Deadline(Base):
    """A charter deadline of a governance matter (``governance.deadlines`` is its one writer).

    Counted on the alliance's calendar when it opens; a provisional one (its year's official
    schedule not loaded yet) is recounted when that schedule arrives.
    """

    __tablename__ = "deadlines"
    __table_args__ = (sa.UniqueConstraint("subject_id", "deadline"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    alliance_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    subject_type: Mapped[str] = mapped_column(sa.String(40))
    subject_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    deadline: Mapped[str] = mapped_column(sa.String(60), doc="the charter's id for it")
    rule: Mapped[str] = mapped_column(sa.Text, doc="the article that sets it")
    title_zh: Mapped[str] = mapped_column(sa.Text)
    title_en: Mapped[str] = mapped_column(sa.Text)
    start_on: Mapped[date] = mapped_column(sa.Date)
    n: Mapped[int] = mapped_column(sa.Integer)
    unit: Mapped[str] = mapped_column(sa.String(20))
    calendar: Mapped[str] = mapped_column(sa.String(2))
    due_on: Mapped[date] = mapped_column(sa.Date)
    provisional: Mapped[bool] = mapped_column(sa.Boolean)
    provisional_reason: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
    recipient_roles: Mapped[list[str]] = mapped_column(JSONB)
    recipient_users: Mapped[list[str]] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(sa.String(20), doc="open | met | cancelled")
    moved_from: Mapped[date | None] = mapped_column(
        sa.Date, doc="the provisional due date before its year's schedule was loaded"
    )
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


# --------------------------------------------------------------------------- working groups


class WorkingGroup(Base):
    """A working group (推进组, AITISA Art.1): a body of the alliance with its own members,
    from the joint application that founds it (Art.4) to its dissolution (Art.6)."""

    __tablename__ = "working_groups"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    alliance_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    name_zh: Mapped[str] = mapped_column(sa.Text)
    name_en: Mapped[str] = mapped_column(sa.Text)
    kind: Mapped[str] = mapped_column(sa.String(20), doc="domain | regional (Art.3)")
    status: Mapped[str] = mapped_column(
        sa.String(20), doc="applied | forwarded | declined | approved | rejected | dissolved"
    )
    lead_organization_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    positioning: Mapped[str] = mapped_column(sa.Text)
    field: Mapped[str] = mapped_column(sa.Text)
    current_state: Mapped[str] = mapped_column(sa.Text)
    necessity: Mapped[str] = mapped_column(sa.Text)
    mode_of_operation: Mapped[str] = mapped_column(sa.Text)
    overlap: Mapped[str] = mapped_column(sa.Text)
    filed_by: Mapped[str] = mapped_column(sa.Text)
    filed_on: Mapped[date] = mapped_column(sa.Date)
    answered_on: Mapped[date | None] = mapped_column(sa.Date)
    answer_reasons: Mapped[str | None] = mapped_column(sa.Text)
    creation_motion_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    decided_on: Mapped[date | None] = mapped_column(sa.Date)
    rejection_reasons: Mapped[str | None] = mapped_column(sa.Text)
    rejection_notified_on: Mapped[date | None] = mapped_column(sa.Date)
    dissolution_motion_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    dissolution_route: Mapped[str | None] = mapped_column(
        sa.String(20), doc="members | secretary_general (Art.6)"
    )
    dissolution_ground: Mapped[str | None] = mapped_column(sa.String(30))
    dissolution_reasons: Mapped[str | None] = mapped_column(sa.Text)
    dissolution_moved_on: Mapped[date | None] = mapped_column(sa.Date)
    dissolution_reviewed_on: Mapped[date | None] = mapped_column(sa.Date)
    dissolution_notified_on: Mapped[date | None] = mapped_column(sa.Date)
    objection: Mapped[str | None] = mapped_column(sa.Text)
    objected_on: Mapped[date | None] = mapped_column(sa.Date)
    dissolved_on: Mapped[date | None] = mapped_column(sa.Date)
    rename_motion_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    proposed_name_zh: Mapped[str | None] = mapped_column(sa.Text)
    proposed_name_en: Mapped[str | None] = mapped_column(sa.Text)
    rename_reviewed_on: Mapped[date | None] = mapped_column(sa.Date)
    rules_motion_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    proposed_rules: Mapped[str | None] = mapped_column(
        sa.Text, doc="activity rules the group adopted, awaiting the chair's office (Art.14)"
    )
    rules: Mapped[str | None] = mapped_column(sa.Text, doc="its activity rules in force")
    rules_approved_on: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    position: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(always=True))


class WorkingGroupInitiator(Base):
    """One organisation of a joint founding application, with its contact (AITISA Art.4(1))."""

    __tablename__ = "working_group_initiators"

    group_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), sa.ForeignKey("working_groups.id"), primary_key=True
    )
    organization_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    alliance_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    organization_name: Mapped[str] = mapped_column(sa.Text)
    lead: Mapped[bool] = mapped_column(sa.Boolean)
    contact_user_id: Mapped[str] = mapped_column(sa.Text)
    contact_name: Mapped[str] = mapped_column(sa.Text)
    position: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(always=True))


class WorkingGroupEvaluation(Base):
    """A group's year: its written report, the secretariat's evaluation, the chair's office
    approval, then published (AITISA Art.11)."""

    __tablename__ = "working_group_evaluations"
    __table_args__ = (sa.UniqueConstraint("group_id", "year"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    alliance_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    group_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), sa.ForeignKey("working_groups.id")
    )
    year: Mapped[int] = mapped_column(sa.Integer)
    report: Mapped[str] = mapped_column(sa.Text)
    reported_by: Mapped[str] = mapped_column(sa.Text)
    reported_on: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(
        sa.String(20), doc="reported | evaluated | approved | returned"
    )
    result: Mapped[str | None] = mapped_column(
        sa.String(20), doc="commendation | satisfactory | warning"
    )
    findings: Mapped[str | None] = mapped_column(sa.Text)
    corrective_actions: Mapped[str | None] = mapped_column(sa.Text)
    evaluated_on: Mapped[date | None] = mapped_column(sa.Date)
    motion_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    approved_on: Mapped[date | None] = mapped_column(sa.Date)


class WorkingGroupRequest(Base):
    """A member's application to join a working group, admitted by its leader (Art.7(1)-(2))."""

    __tablename__ = "working_group_requests"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    alliance_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    group_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), sa.ForeignKey("working_groups.id")
    )
    organization_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    organization_name: Mapped[str] = mapped_column(sa.Text)
    representative_user_id: Mapped[str] = mapped_column(sa.Text)
    representative_name: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(20), doc="pending | admitted | refused")
    filed_by: Mapped[str] = mapped_column(sa.Text)
    decided_by: Mapped[str | None] = mapped_column(sa.Text)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


TENANT_TABLES: dict[str, str] = {
    "alliances": "id",
    "bodies": "alliance_id",
    "charter_versions": "alliance_id",
    "members": "alliance_id",
    "seats": "alliance_id",
    "seat_changes": "alliance_id",
    "meetings": "alliance_id",
    "attendance": "alliance_id",
    "motions": "alliance_id",
    "stages": "alliance_id",
    "ballots": "alliance_id",
    "minimum_notices": "alliance_id",
    "deadlines": "alliance_id",
    "working_groups": "alliance_id",
    "working_group_initiators": "alliance_id",
    "working_group_requests": "alliance_id",
    "working_group_evaluations": "alliance_id",
}
PLATFORM_TABLES: set[str] = {"calendar_schedules"}
