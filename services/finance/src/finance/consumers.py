"""What finance learns from other services' events."""

from servicekit.app import ConsumerSpec

from finance import budgets

CONSUMERS = [
    ConsumerSpec(name="finance-alliances", event_types=[budgets.ALLIANCE_CREATED],
                 handler=budgets.on_alliance_created),
]
