"""What finance learns from other services' events."""

from contracts.governance import (
    MotionDecided,
    WorkingGroupDecided,
    WorkingGroupDissolved,
    WorkingGroupMemberLeft,
    WorkingGroupPostFilled,
    WorkingGroupRenamed,
)
from contracts.membership import (
    AllianceCreated,
    CharterAdopted,
    CharterAmended,
    MemberAdmitted,
    MemberDemoted,
    MemberExpelled,
    MemberTerminated,
    MemberTierChanged,
    MemberWithdrawn,
)
from finance import alliances, charters, income, matters, working_groups
from servicekit.app import ConsumerSpec

CONSUMERS = [
    ConsumerSpec(
        name="finance-alliances",
        handlers={AllianceCreated: alliances.on_alliance_created},
    ),
    ConsumerSpec(
        # who keeps the books, whether there is an audit (finance.charters)
        name="finance-charters",
        handlers={CharterAdopted: charters.on_charter, CharterAmended: charters.on_charter},
    ),
    ConsumerSpec(
        name="finance-members",
        handlers={
            MemberAdmitted: income.on_member_admitted,
            MemberTierChanged: income.on_member_changed,
            MemberDemoted: income.on_member_changed,
            MemberWithdrawn: income.on_member_changed,
            MemberExpelled: income.on_member_changed,
            MemberTerminated: income.on_member_changed,
        },
    ),
    ConsumerSpec(
        name="finance-decisions",
        handlers={MotionDecided: matters.on_motion_decided},
    ),
    ConsumerSpec(
        # one consumer, so a group's events are applied in the order governance published them
        name="finance-working-groups",
        handlers={
            WorkingGroupDecided: working_groups.on_decided,
            WorkingGroupRenamed: working_groups.on_renamed,
            WorkingGroupDissolved: working_groups.on_dissolved,
            WorkingGroupPostFilled: working_groups.on_post_filled,
            WorkingGroupMemberLeft: working_groups.on_member_left,
        },
    ),
]
