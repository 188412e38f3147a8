"""Concord's event contracts: one pydantic model per CloudEvents type.

Grouped by the producing service (``contracts.membership``, ``contracts.governance``, …). A
producer records a model (``servicekit.events.record_event``); a consumer registers a handler
per model (``servicekit.app.ConsumerSpec.handlers``) and receives the parsed model. The JSON
Schema of every type is committed under ``libs/contracts/schemas/`` and ``docs/events.md`` is
generated from the models (``concord-contracts export``); tests fail when either is stale.
"""

from contracts.base import Event, Part, UnknownEventType, all_contracts, contract_for

__all__ = ["Event", "Part", "UnknownEventType", "all_contracts", "contract_for"]
