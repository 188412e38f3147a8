"""What notifications listens to."""

from notifications import notices
from servicekit.app import ConsumerSpec

CONSUMERS = [
    ConsumerSpec(
        name="notifications-membership",
        event_types=list(notices.TEXTS),
        handler=notices.on_membership_event,
    ),
]
