"""The CloudEvents 1.0 envelope of a Concord event (structured JSON mode).

Kept as our own small dataclass: the CloudEvents SDK would add a dependency for what is five
required fields and two extension attributes (``allianceid``, ``traceparent``).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

STREAM = "CONCORD"
SUBJECT_PREFIX = "concord"


def subject_for(event_type: str) -> str:
    """The NATS subject of an event type: ``membership.application.approved`` → ``concord.…``."""
    return f"{SUBJECT_PREFIX}.{event_type}"


class InvalidEnvelope(ValueError):
    """A message that is not a Concord event: it can never be handled (a poison message)."""


@dataclass(frozen=True)
class Envelope:
    type: str
    source: str
    subject: str
    data: dict[str, Any]
    alliance_id: uuid.UUID | None = None
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    traceparent: str | None = None
    tracestate: str | None = None
    dataschema: str | None = None

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "specversion": "1.0",
            "id": str(self.id),
            "source": self.source,
            "type": self.type,
            "subject": self.subject,
            "time": self.time.isoformat().replace("+00:00", "Z"),
            "datacontenttype": "application/json",
            "data": self.data,
        }
        if self.dataschema:
            body["dataschema"] = self.dataschema
        if self.alliance_id is not None:
            body["allianceid"] = str(self.alliance_id)
        if self.traceparent:
            body["traceparent"] = self.traceparent
        if self.tracestate:
            body["tracestate"] = self.tracestate
        return body

    def to_json(self) -> bytes:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def from_dict(cls, body: dict[str, Any]) -> Envelope:
        try:
            if body.get("specversion") != "1.0":
                raise InvalidEnvelope(f"unsupported specversion {body.get('specversion')!r}")
            alliance = body.get("allianceid")
            data = body.get("data") or {}
            if not isinstance(data, dict):
                raise InvalidEnvelope("data must be a JSON object")
            return cls(
                id=uuid.UUID(body["id"]),
                source=str(body["source"]),
                type=str(body["type"]),
                subject=str(body.get("subject", "")),
                time=datetime.fromisoformat(str(body["time"]).replace("Z", "+00:00")),
                alliance_id=uuid.UUID(alliance) if alliance else None,
                data=data,
                traceparent=body.get("traceparent"),
                tracestate=body.get("tracestate"),
                dataschema=body.get("dataschema"),
            )
        except (KeyError, ValueError, TypeError) as exc:
            if isinstance(exc, InvalidEnvelope):
                raise
            raise InvalidEnvelope(f"not a Concord event: {exc}") from exc

    @classmethod
    def from_json(cls, raw: bytes) -> Envelope:
        try:
            body = json.loads(raw)
        except ValueError as exc:
            raise InvalidEnvelope(f"not JSON: {exc}") from exc
        if not isinstance(body, dict):
            raise InvalidEnvelope("an event is a JSON object")
        return cls.from_dict(body)
