"""Bodies of an alliance (general assembly, council, standing council …), set up from its
charter whenever a version is adopted (the one writer of bodies; reads in ``queries``)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.membership import CharterAdopted, CharterAmended
from governance import charters
from governance.models import Body, KnownAlliance
from servicekit.events import Envelope


def body_id(alliance_id: uuid.UUID, kind: str) -> uuid.UUID:
    """Stable per alliance and kind, so re-adopting a charter updates rather than duplicates."""
    return uuid.uuid5(alliance_id, f"body:{kind}")


async def on_charter(
    session: AsyncSession, event: CharterAdopted | CharterAmended, envelope: Envelope
) -> None:
    """A charter version: keep it (votes take their rule from it) and set up its bodies."""
    alliance_id, version = event.alliance_id, event.version
    await session.execute(
        insert(KnownAlliance)
        .values(id=alliance_id, slug=event.slug, charter_version=version)
        .on_conflict_do_update(
            index_elements=["id"],
            set_={
                "charter_version": sa.func.greatest(KnownAlliance.charter_version, version),
                "slug": event.slug,
            },
        )
    )
    await charters.record_version(session, alliance_id, version, event.charter)
    latest = await session.scalar(
        sa.select(KnownAlliance.charter_version).where(KnownAlliance.id == alliance_id)
    )
    if latest != version:
        return  # an older version arriving late: the bodies follow the newest
    found: dict[str, dict[str, Any]] = event.charter["bodies"]
    for kind, body in found.items():
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
