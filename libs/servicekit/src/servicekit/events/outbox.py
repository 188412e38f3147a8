"""Recording an event in the same transaction as the change it describes."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from opentelemetry import propagate
from sqlalchemy.ext.asyncio import AsyncSession

from contracts import Event
from servicekit.events.envelope import Envelope, subject_for


async def record(
    session: AsyncSession,
    outbox: sa.Table,
    *,
    source: str,
    type: str,
    subject: str | uuid.UUID,
    data: dict[str, Any],
    alliance_id: uuid.UUID | None,
    dataschema: str | None = None,
) -> Envelope:
    """Add an event to the outbox; it is published only if the surrounding transaction commits.

    The current trace context is stored with it, so the relay and the consumers continue the
    trace of the request that made the change.
    """
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    envelope = Envelope(
        type=type,
        source=source,
        subject=str(subject),
        data=data,
        alliance_id=alliance_id,
        traceparent=carrier.get("traceparent"),
        tracestate=carrier.get("tracestate"),
        dataschema=dataschema,
    )
    await session.execute(
        sa.insert(outbox).values(
            id=envelope.id,
            alliance_id=alliance_id,
            subject=subject_for(type),
            type=type,
            envelope=envelope.to_dict(),
            trace_headers=carrier,
        )
    )
    return envelope


async def record_event(
    session: AsyncSession,
    outbox: sa.Table,
    event: Event,
    *,
    source: str,
    subject: str | uuid.UUID,
    alliance_id: uuid.UUID | None,
) -> Envelope:
    """Record an event from its contract model (``contracts``): its type, data and schema."""
    return await record(
        session,
        outbox,
        source=source,
        type=event.TYPE,
        subject=subject,
        data=event.to_data(),
        alliance_id=alliance_id,
        dataschema=event.dataschema(),
    )
