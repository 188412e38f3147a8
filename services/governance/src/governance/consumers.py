"""What governance learns from other services' events."""

from servicekit.app import ConsumerSpec

from governance import bodies

CONSUMERS = [
    ConsumerSpec(name="governance-charters",
                 event_types=[bodies.CHARTER_ADOPTED, bodies.CHARTER_AMENDED],
                 handler=bodies.on_charter_adopted),
]
