"""What governance learns from other services' events."""

from governance import bodies
from servicekit.app import ConsumerSpec

CONSUMERS = [
    ConsumerSpec(
        name="governance-charters",
        event_types=[bodies.CHARTER_ADOPTED, bodies.CHARTER_AMENDED],
        handler=bodies.on_charter_adopted,
    ),
]
