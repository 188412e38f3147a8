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
    organization_name: str | None = None
    proxy_holder_user_id: str | None = None
    """For a written proxy (书面委托): the person who attended for the seat."""


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


# --------------------------------------------------------------------------- working groups


class WorkingGroupEvent(Event):
    """What every working-group event says: which group of which alliance, and the people the
    news is for (user ids, so notifications needs no register of groups)."""

    alliance_id: uuid.UUID
    group_id: uuid.UUID
    group_name_zh: str
    group_name_en: str
    recipients: list[str] = Field(default_factory=list)
    rule: str
    """The article that applies, e.g. "AITISA Art.4(2)"."""


class WorkingGroupApplied(
    WorkingGroupEvent, type="governance.working_group.applied", subject="group id"
):
    """At least 5 member organisations applied jointly to found a group (AITISA Art.4(1));
    the recipients are the secretariat's, who answer within 10 working days (Art.4(2))."""

    lead_organization_id: uuid.UUID
    initiators: list[uuid.UUID]
    filed_on: date


class WorkingGroupApplicationAnswered(
    WorkingGroupEvent, type="governance.working_group.application_answered", subject="group id"
):
    """The secretariat's written answer to the initiators (AITISA Art.4(2)): the application
    goes to the chair's office meeting, or not, with the reasons."""

    forwarded: bool
    reasons: str | None = None
    answered_on: date


class WorkingGroupDecided(
    WorkingGroupEvent, type="governance.working_group.decided", subject="group id"
):
    """The chair's office meeting approved or rejected the group (AITISA Art.4(3))."""

    approved: bool
    motion_id: uuid.UUID
    decided_on: date


class WorkingGroupRejectionNotified(
    WorkingGroupEvent, type="governance.working_group.rejection_notified", subject="group id"
):
    """The secretariat told the initiators the result and the reasons (AITISA Art.4(3))."""

    reasons: str
    notified_on: date


class WorkingGroupMemberJoined(
    WorkingGroupEvent, type="governance.working_group.member_joined", subject="seat id"
):
    """An organisation became a member of the group (founding, or admitted by its leader,
    AITISA Art.7(1)-(2))."""

    seat_id: uuid.UUID
    organization_id: uuid.UUID
    organization_name: str
    members: int


class WorkingGroupLeaving(StrEnum):
    FREELY = "freely"
    """The member left of its own accord (AITISA Art.9(3))."""
    ABSENCES = "absences"
    """Three consecutive absences: deemed to have left (AITISA Art.7(6))."""


class WorkingGroupMemberLeft(
    WorkingGroupEvent, type="governance.working_group.member_left", subject="seat id"
):
    """A member left the group, announced to all its members (AITISA Art.7(6), Art.9(3));
    ``belowMinimum`` when the group now has fewer than the 5 members Art.7(2) asks (a ground
    of dissolution, Art.6)."""

    seat_id: uuid.UUID
    organization_id: uuid.UUID
    organization_name: str
    reason: WorkingGroupLeaving
    absences: int = 0
    members: int
    minimum: int
    below_minimum: bool


class WorkingGroupAbsenceReminder(
    WorkingGroupEvent, type="governance.working_group.absence_reminder", subject="seat id"
):
    """A member missed two meetings in a row: the leader (the recipients) must remind it
    (AITISA Art.7(6)); a third absence means it has left."""

    seat_id: uuid.UUID
    organization_id: uuid.UUID
    organization_name: str
    member_user_id: str | None = None
    absences: int


class WorkingGroupPostFilled(
    WorkingGroupEvent, type="governance.working_group.post_filled", subject="seat id"
):
    """A leader or co-leader, recommended by the lead organisation (AITISA Art.7(3))."""

    seat_id: uuid.UUID
    organization_id: uuid.UUID
    user_id: str
    name: str
    post: str
    """group_leader | group_co_leader"""


class WorkingGroupDissolutionMoved(
    WorkingGroupEvent, type="governance.working_group.dissolution_moved", subject="group id"
):
    """The secretary-general moved to dissolve the group on one of the grounds of AITISA Art.6
    (the group is told in writing within 10 days), or its members applied (at least 1/2 of
    all members) and the secretariat reviewed it."""

    route: str
    """secretary_general | members"""
    ground: str
    reasons: str
    motion_id: uuid.UUID
    moved_on: date


class WorkingGroupDissolutionNotified(
    WorkingGroupEvent, type="governance.working_group.dissolution_notified", subject="group id"
):
    """The written notice of the secretary-general's motion to the group; it may object to
    the chair's office meeting within 10 days of it (AITISA Art.6)."""

    ground: str
    reasons: str
    notified_on: date
    objection_due_on: date | None = None


class WorkingGroupDissolutionObjected(
    WorkingGroupEvent, type="governance.working_group.dissolution_objected", subject="group id"
):
    """The group objected to the chair's office meeting within its window (AITISA Art.6)."""

    objection: str
    objected_on: date


class WorkingGroupDissolved(
    WorkingGroupEvent, type="governance.working_group.dissolved", subject="group id"
):
    """The chair's office meeting approved the dissolution (AITISA Art.6)."""

    route: str
    motion_id: uuid.UUID
    dissolved_on: date


class WorkingGroupRenamed(
    WorkingGroupEvent, type="governance.working_group.renamed", subject="group id"
):
    """The chair's office meeting approved the plenary's application to rename the group,
    after the secretariat's review (AITISA Art.5)."""

    former_name_zh: str
    former_name_en: str
    motion_id: uuid.UUID
    renamed_on: date


class WorkingGroupReviewDeclined(
    WorkingGroupEvent, type="governance.working_group.review_declined", subject="group id"
):
    """The secretariat's review did not send the group's application on to the chair's office
    meeting: a renaming (AITISA Art.5: 报秘书处初审) or its members' dissolution (Art.6); the
    motion ends there, with the reasons, and the group goes on as it was."""

    matter: str
    """working_group_rename | working_group_dissolution"""
    motion_id: uuid.UUID
    reasons: str
    reviewed_on: date


class WorkingGroupMeetingsMissed(
    WorkingGroupEvent, type="governance.working_group.meetings_missed", subject="group id"
):
    """A year ended with the group below the two working meetings AITISA Art.10(1) asks (not
    doing the required work is a ground of dissolution, Art.6); to its leaders."""

    year: int
    held: int
    minimum: int


class WorkingGroupRulesApproved(
    WorkingGroupEvent, type="governance.working_group.rules_approved", subject="group id"
):
    """The chair's office meeting approved the group's own activity rules: they apply from
    now (AITISA Art.14)."""

    motion_id: uuid.UUID
    approved_on: date


class WorkingGroupEvaluationResult(StrEnum):
    COMMENDATION = "commendation"
    """An excellent group, commended (AITISA Art.11: 对优秀推进组进行表彰)."""
    SATISFACTORY = "satisfactory"
    WARNING = "warning"
    """An unsatisfactory group, warned with corrective actions (提出警告和整改意见)."""


class WorkingGroupEvaluated(
    WorkingGroupEvent, type="governance.working_group.evaluated", subject="evaluation id"
):
    """A year's evaluation, approved by the chair's office meeting and published (AITISA
    Art.11)."""

    evaluation_id: uuid.UUID
    year: int
    result: WorkingGroupEvaluationResult
    findings: str
    corrective_actions: str | None = None
    motion_id: uuid.UUID
    approved_on: date


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
    attendees: list[str] = Field(default_factory=list)
    """The user ids of the holders of the body's seats when it was convened (a working group's
    meeting: the group's members), who are called to it."""


class MeetingMinimumMissed(Event, type="governance.meeting.minimum_missed", subject="body id"):
    """A body can no longer meet the charter's minimum of meetings for a year (AII Art.23)."""

    alliance_id: uuid.UUID
    body: BodyId
    year: int
    held: int
    minimum: int
    rule: str


class SeatChanged(Event, type="governance.seat.changed", subject="seat id"):
    """A seat of a body changed: filled, its holder replaced, moved or vacated (every change
    governance keeps with its date and reason). Other services keep who sits on which body
    from these, to tell a body's members what the charter reports to the body (China-ASEAN
    Art.27: the audit, 报理事会审查)."""

    seat_id: uuid.UUID
    alliance_id: uuid.UUID
    body: str
    """The body (``council``, ``general_assembly`` …, ``working_group`` for a group's seat)."""
    group_id: uuid.UUID | None = None
    """For a working group's seat: the group."""
    change: str
    holder_user_id: str | None = None
    """The person who sits (an organisation's named representative); None while nobody does."""
    active: bool
    changed_on: date
    position: int
    """The order of the change among all of the alliance's seat changes: a consumer keeps the
    highest it has seen for a seat, whatever the order of delivery."""


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
