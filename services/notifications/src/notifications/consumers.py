"""What notifications listens to."""

from servicekit.app import ConsumerSpec

from notifications import notices

CONSUMERS = [
    ConsumerSpec(
        name="notifications-membership",
        event_types=list(notices.TEXTS),
        handler=notices.on_membership_event,
    ),
]
