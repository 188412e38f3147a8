"""What notifications listens to: membership's application and member events (notices to the
people concerned, the register of members), its alliance and role events (names, the register
of each alliance's staff), governance's seat changes (the register of who sits on which body),
and the governance and finance events that have contracts."""

from contracts import finance, governance, membership
from notifications import (
    deadline_notices,
    governance_notices,
    membership_notices,
    notices,
    working_group_notices,
)
from servicekit.app import ConsumerSpec

NOTICE_CONSUMERS = frozenset({"notifications-membership", "notifications-governance"})
"""The consumers that file notices: handled in lanes (``Settings.consumer_concurrency``); the
registers of alliances, roles and seats stay one event after the other."""

CONSUMERS = [
    ConsumerSpec(
        name="notifications-membership",
        handlers=dict.fromkeys(membership_notices.HANDLED, membership_notices.on_event),
    ),
    ConsumerSpec(
        name="notifications-alliances",
        handlers={membership.AllianceCreated: membership_notices.on_alliance_created},
    ),
    ConsumerSpec(
        name="notifications-roles",
        handlers={
            membership.RoleAssigned: notices.on_role_event,
            membership.RoleRevoked: notices.on_role_event,
        },
    ),
    ConsumerSpec(
        name="notifications-seats",
        handlers={governance.SeatChanged: notices.on_seat_changed},
    ),
    ConsumerSpec(
        name="notifications-governance",
        handlers={
            governance.ApplicationDecided: governance_notices.on_application_decided,
            governance.MotionDecided: governance_notices.on_motion_decided,
            governance.VoteClosed: governance_notices.on_vote_closed,
            governance.AttendanceRecorded: governance_notices.on_attendance_recorded,
            finance.BudgetCreated: governance_notices.on_budget_created,
            finance.MatterSubmitted: governance_notices.on_matter_submitted,
            finance.BudgetDecided: governance_notices.on_budget_decided,
            finance.BudgetReturned: governance_notices.on_budget_returned,
            finance.FinalAccountsDecided: governance_notices.on_budget_decided,
            finance.AuditorDecided: governance_notices.on_budget_decided,
            finance.AuditReported: governance_notices.on_budget_decided,
            finance.InvoiceIssued: governance_notices.on_invoice,
            finance.InvoiceOverdue: governance_notices.on_invoice,
            governance.MeetingConvened: governance_notices.on_meeting_convened,
            governance.MeetingMinimumMissed: governance_notices.on_meeting_minimum_missed,
            governance.DeadlineOpened: deadline_notices.on_deadline_counted,
            governance.DeadlineMoved: deadline_notices.on_deadline_moved,
            governance.DeadlineConfirmed: deadline_notices.on_deadline_counted,
            governance.DeadlineClosed: deadline_notices.on_deadline_closed,
            **working_group_notices.HANDLERS,
        },
    ),
]
