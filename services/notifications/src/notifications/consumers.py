"""What notifications listens to."""

from notifications import notices
from servicekit.app import ConsumerSpec

CONSUMERS = [
    ConsumerSpec(
        name="notifications-membership",
        event_types=sorted(set(notices.TEXTS) | set(notices.STAFF_TEXTS)),
        handler=notices.on_membership_event,
    ),
    ConsumerSpec(
        name="notifications-roles",
        event_types=["membership.role.assigned", "membership.role.revoked"],
        handler=notices.on_role_event,
    ),
]
