"""Domain events: CloudEvents envelope, transactional outbox, relay to JetStream, consumers.

A change and its event commit together (:func:`~servicekit.events.outbox.record`); the relay
publishes committed rows to JetStream with ``Nats-Msg-Id`` = event id, so JetStream drops
repeats; consumers keep an inbox of handled event ids, so a redelivery changes nothing.
"""

from servicekit.events.envelope import STREAM, Envelope, subject_for
from servicekit.events.outbox import record, record_event

__all__ = ["STREAM", "Envelope", "record", "record_event", "subject_for"]
