"""What finance learns from other services' events."""

from finance import budgets
from servicekit.app import ConsumerSpec

CONSUMERS = [
    ConsumerSpec(
        name="finance-alliances",
        event_types=[budgets.ALLIANCE_CREATED],
        handler=budgets.on_alliance_created,
    ),
]
