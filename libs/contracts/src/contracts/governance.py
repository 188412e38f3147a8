"""Events published by governance: decisions of its bodies and the attendance of meetings."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from charter.ids import BodyId, MatterKind, MeetingMode, Outcome
from contracts.base import Event, Part
from contracts.membership import CharterChange


class AttendanceStatus(StrEnum):
    """出席 / 书面委托 / 缺席: a written proxy counts as attending."""

    PRESENT = "present"
    PROXY = "proxy"
    ABSENT = "absent"


class ApplicationDecided(Event, type="governance.application.decided", subject="application id"):
    """A body decided a forwarded application (by a vote on the platform, or recorded)."""

    application_id: uuid.UUID
    alliance_id: uuid.UUID
    body: BodyId
    approved: bool
    meeting: str
    """The meeting's reference (its title or number)."""
    decided_on: date
    minutes: str | None = None
    reason: str | None = None
    motion_id: uuid.UUID | None = None
    """The motion whose result decided it, where the vote was held on the platform."""


class SeatAttendance(Part):
    organization_id: uuid.UUID
    status: AttendanceStatus


class AttendanceRecorded(Event, type="governance.attendance.recorded", subject="meeting id"):
    """The secretariat closed the attendance of one meeting of one body."""

    alliance_id: uuid.UUID
    meeting_id: str
    body: BodyId
    held_on: date
    attendance: list[SeatAttendance]


class VoteCounts(Part):
    """The numbers a result was computed from (snapshotted at close)."""

    entitled: int
    """Seats entitled to vote on this stage."""
    present: int
    """Present at close, written proxies included where the charter allows them."""
    yes: int
    no: int
    abstain: int


class MotionDecided(Event, type="governance.motion.decided", subject="motion id"):
    """A motion's last stage closed, or a stage failed: the decision, with its numbers and rule.

    ``matter`` says what was decided and ``matterId`` which thing (the application, the
    budget, the final accounts, the working group …), so the owning service can act on it.
    """

    motion_id: uuid.UUID
    alliance_id: uuid.UUID
    matter: MatterKind
    matter_id: uuid.UUID | None = None
    title: str
    body: BodyId
    """The body whose vote decided (the last stage that ran)."""
    outcome: Outcome
    passed: bool
    decided_on: date
    meeting: str | None = None
    counts: VoteCounts
    rule: str
    """The article(s) applied, e.g. "AII Art.23"."""
    explanation_zh: str
    explanation_en: str
    changes: list[CharterChange] = Field(default_factory=list)
    """For a charter amendment: the dotted paths and values to apply (as ``charter.amend``)."""


class MeetingConvened(Event, type="governance.meeting.convened", subject="meeting id"):
    """A body's meeting was convened (by whom the charter says), with its agenda."""

    meeting_id: uuid.UUID
    alliance_id: uuid.UUID
    body: BodyId
    title: str
    mode: MeetingMode
    starts_at: datetime
    place: str | None = None
    link: str | None = None
    voting_deadline: datetime | None = None
    """For a meeting by correspondence: when its votes close."""
    agenda: list[uuid.UUID] = Field(default_factory=list)
    """The motions to be voted on, in order."""
    convened_as: str
    """The charter actor who convened it, with the article (e.g. "secretariat (AII Art.23)")."""
    charter_version: int


class MeetingMinimumMissed(Event, type="governance.meeting.minimum_missed", subject="body id"):
    """A body can no longer meet the charter's minimum of meetings for a year (AII Art.23)."""

    alliance_id: uuid.UUID
    body: BodyId
    year: int
    held: int
    minimum: int
    rule: str


class VoteClosed(Event, type="governance.vote.closed", subject="stage id"):
    """One stage of a motion closed: its result, computed once, and its ballot list's hash."""

    motion_id: uuid.UUID
    stage_id: uuid.UUID
    alliance_id: uuid.UUID
    body: BodyId
    matter: MatterKind
    outcome: Outcome
    passed: bool
    counts: VoteCounts
    rule: str
    explanation_zh: str
    explanation_en: str
    ballot_list_hash: str
    """SHA-256 (hex) of the published ballot list: one line "receipt:choice" per ballot, in
    the order cast, joined by newlines."""


# --- deadlines ----------------------------------------------------------------------------


class DeadlineReason(Part):
    """Why a due date is provisional (both languages)."""

    zh: str
    en: str


class DeadlineEvent(Event):
    """A charter deadline of a governance matter, counted on the alliance's calendar (Civil
    Code Art.201 and 203: the start day not counted; working days count make-up working days)."""

    deadline_id: uuid.UUID
    alliance_id: uuid.UUID
    alliance_slug: str
    subject_type: str
    """What the deadline belongs to (``working_group_application``, ``working_group`` …)."""
    subject_id: uuid.UUID
    deadline: str
    """The charter's id for it (``creation_answer``, ``rejection_notice`` …)."""
    rule: str
    """The article that sets it (``AITISA Art.4(2)``)."""
    title_zh: str
    title_en: str
    start_on: date
    n: int
    unit: str
    calendar: str
    due_on: date
    provisional: bool
    """Counted on a year whose official schedule is not loaded yet (weekends and statutory
    holidays only, no make-up working days)."""
    provisional_reason: DeadlineReason | None = None
    recipient_roles: list[str] = Field(default_factory=list)
    """The alliance's staff roles to remind (``secretariat`` …)."""
    recipient_users: list[str] = Field(default_factory=list)


class DeadlineOpened(DeadlineEvent, type="governance.deadline.opened", subject="deadline id"):
    """A matter now has a deadline: remind before it, flag it when overdue."""


class DeadlineMoved(DeadlineEvent, type="governance.deadline.moved", subject="deadline id"):
    """A provisional deadline was recounted when its year's official schedule was loaded, and
    its due date changed: the people concerned are told."""

    previous_due_on: date
    schedule: str
    """The schedule that moved it (``CN 2027 v1``)."""


class DeadlineConfirmed(DeadlineEvent, type="governance.deadline.confirmed", subject="deadline id"):
    """A provisional deadline was recounted on its year's official schedule and kept its date:
    it is no longer provisional."""

    schedule: str


class DeadlineClosed(DeadlineEvent, type="governance.deadline.closed", subject="deadline id"):
    """The matter was answered (``met``) or withdrawn (``cancelled``): no more reminders."""

    outcome: str
