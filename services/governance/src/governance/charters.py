"""The charter versions governance runs by, kept from membership's charter events.

A vote takes its rule from the version in force when it opens (:func:`in_force`) and keeps a
copy of it, so a later amendment never changes a vote already under way.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

import charter
from governance.models import CharterVersion, KnownAlliance
from servicekit.graphql import NotFound


async def record_version(
    session: AsyncSession, alliance_id: uuid.UUID, version: int, document: dict[str, Any]
) -> None:
    await session.execute(
        insert(CharterVersion)
        .values(alliance_id=alliance_id, version=version, document=document)
        .on_conflict_do_nothing()
    )


_PARSED: dict[tuple[uuid.UUID, int], charter.Charter] = {}
"""Parsed charters by (alliance, version): a version never changes once recorded."""


async def in_force(session: AsyncSession, alliance_id: uuid.UUID) -> tuple[int, charter.Charter]:
    """The newest version of the alliance's charter and its parsed form."""
    version = await session.scalar(
        sa.select(sa.func.max(CharterVersion.version)).where(
            CharterVersion.alliance_id == alliance_id
        )
    )
    if version is None:
        raise NotFound("governance has not received this alliance's charter yet")
    return version, await version_of(session, alliance_id, version)


async def in_force_of(
    session: AsyncSession, alliance_ids: Sequence[uuid.UUID]
) -> list[tuple[int, charter.Charter] | None]:
    """:func:`in_force` for many alliances at once (a DataLoader's batch): one statement for
    the versions, and one per alliance whose version is not parsed yet (None: no charter yet)."""
    found = await session.execute(
        sa.select(CharterVersion.alliance_id, sa.func.max(CharterVersion.version))
        .where(CharterVersion.alliance_id.in_(set(alliance_ids)))
        .group_by(CharterVersion.alliance_id)
    )
    versions = {alliance_id: version for alliance_id, version in found.tuples()}
    out: list[tuple[int, charter.Charter] | None] = []
    for alliance_id in alliance_ids:
        version = versions.get(alliance_id)
        out.append(
            None if version is None else (version, await version_of(session, alliance_id, version))
        )
    return out


async def version_of(
    session: AsyncSession, alliance_id: uuid.UUID, version: int
) -> charter.Charter:
    key = (alliance_id, version)
    found = _PARSED.get(key)
    if found is None:
        document = await session.scalar(
            sa.select(CharterVersion.document).where(
                CharterVersion.alliance_id == alliance_id, CharterVersion.version == version
            )
        )
        if document is None:
            raise NotFound(f"charter version {version} is not known here")
        found = _PARSED[key] = charter.Charter.from_data(document)
    return found


async def alliance_by_slug(session: AsyncSession, slug: str) -> KnownAlliance:
    found = await session.scalar(sa.select(KnownAlliance).where(KnownAlliance.slug == slug))
    if found is None:
        raise NotFound(f"no alliance {slug!r} that you may act in")
    return found
