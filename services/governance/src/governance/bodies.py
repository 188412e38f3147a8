"""Bodies of an alliance (general assembly, council, standing council …), set up from its
charter whenever a version is adopted."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from governance.models import Body, KnownAlliance
from servicekit.events import Envelope
from servicekit.graphql.ids import grouped

CHARTER_ADOPTED = "membership.charter.adopted"
CHARTER_AMENDED = "membership.charter.amended"


# Glossary order: the order a clerk expects to read them in.
BODY_ORDER = (
    "general_assembly",
    "council",
    "standing_council",
    "steering_committee",
    "expert_committee",
    "secretariat",
    "chairs_office",
    "working_group",
)


def body_id(alliance_id: uuid.UUID, kind: str) -> uuid.UUID:
    """Stable per alliance and kind, so re-adopting a charter updates rather than duplicates."""
    return uuid.uuid5(alliance_id, f"body:{kind}")


async def on_charter_adopted(session: AsyncSession, event: Envelope) -> None:
    data = event.data
    alliance_id = uuid.UUID(data["allianceId"])
    version = int(data["version"])
    await session.execute(
        insert(KnownAlliance)
        .values(id=alliance_id, slug=data["slug"], charter_version=version)
        .on_conflict_do_update(
            index_elements=["id"], set_={"charter_version": version, "slug": data["slug"]}
        )
    )
    bodies: dict[str, dict[str, Any]] = data["charter"]["bodies"]
    for kind, body in bodies.items():
        meetings = body.get("meetings") or {}
        values = {
            "name_zh": body["name"]["zh"],
            "name_en": body["name"]["en"],
            "min_meetings_per_year": meetings.get("min_per_year"),
            "source": body.get("source", "default"),
            "charter_version": version,
        }
        await session.execute(
            insert(Body)
            .values(id=body_id(alliance_id, kind), alliance_id=alliance_id, kind=kind, **values)
            .on_conflict_do_update(index_elements=["id"], set_=values)
        )


async def bodies_of(session: AsyncSession, alliance_ids: Sequence[uuid.UUID]) -> list[list[Body]]:
    rows = (await session.scalars(sa.select(Body).where(Body.alliance_id.in_(alliance_ids)))).all()
    return grouped(
        sorted(
            rows,
            key=lambda b: BODY_ORDER.index(b.kind) if b.kind in BODY_ORDER else len(BODY_ORDER),
        ),
        alliance_ids,
        lambda r: r.alliance_id,
    )


async def bodies_by_id(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[Body | None]:
    rows = (await session.scalars(sa.select(Body).where(Body.id.in_(ids)))).all()
    found = {b.id: b for b in rows}
    return [found.get(i) for i in ids]
