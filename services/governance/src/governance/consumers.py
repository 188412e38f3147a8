"""What governance learns from other services' events: charters (bodies and rules), the
roster (seats), officers (personal seats), forwarded applications and finance's matters
(pending motions)."""

from contracts.finance import MatterSubmitted
from contracts.membership import (
    ApplicationForwarded,
    CalendarScheduleLoaded,
    CharterAdopted,
    CharterAmended,
    MemberAdmitted,
    MemberContactChanged,
    MemberDemoted,
    MemberExpelled,
    MemberTerminated,
    MemberTierChanged,
    MemberWithdrawn,
    RoleAssigned,
    RoleRevoked,
)
from governance import bodies, deadlines, motions, seats
from servicekit.app import ConsumerSpec

CONSUMERS = [
    ConsumerSpec(
        name="governance-charters",
        handlers={CharterAdopted: bodies.on_charter, CharterAmended: bodies.on_charter},
    ),
    ConsumerSpec(
        name="governance-roster",
        handlers={
            MemberAdmitted: seats.on_member_event,
            MemberTierChanged: seats.on_member_event,
            MemberDemoted: seats.on_member_event,
            MemberWithdrawn: seats.on_member_event,
            MemberExpelled: seats.on_member_event,
            MemberTerminated: seats.on_member_event,
            MemberContactChanged: seats.on_member_event,
            RoleAssigned: seats.on_role_event,
            RoleRevoked: seats.on_role_event,
        },
    ),
    ConsumerSpec(
        name="governance-matters",
        handlers={
            ApplicationForwarded: motions.on_application_forwarded,
            MatterSubmitted: motions.on_finance_matter,
        },
    ),
    ConsumerSpec(
        name="governance-calendars",
        handlers={CalendarScheduleLoaded: deadlines.on_schedule_loaded},
    ),
]
