"""Who may keep an alliance's books: its secretariat and officers (China-ASEAN Art.27: the
secretariat manages the funds), and the platform operator. Everyone else sees nothing (RLS)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from finance.models import KnownAlliance
from servicekit.auth import Principal
from servicekit.errors import Forbidden, NotFound


@dataclass(frozen=True)
class AllianceRef:
    id: uuid.UUID
    slug: str


async def find_alliance(session: AsyncSession, slug: str) -> AllianceRef:
    row = await session.scalar(sa.select(KnownAlliance).where(KnownAlliance.slug == slug))
    if row is None:
        raise NotFound(f"there is no alliance {slug!r}")
    return AllianceRef(row.id, row.slug)


async def keeper_of(session: AsyncSession, actor: Principal, slug: str) -> AllianceRef:
    """The alliance whose books ``actor`` may write, or a typed refusal."""
    if not actor.is_staff(slug):
        raise Forbidden(f"only the secretariat of {slug} keeps its books")
    return await find_alliance(session, slug)


async def reader_of(session: AsyncSession, actor: Principal, slug: str) -> AllianceRef:
    """The alliance whose figures ``actor`` may read (staff, or the platform operator)."""
    if not actor.is_staff(slug):
        raise Forbidden(f"only the secretariat and officers of {slug} read its books")
    return await find_alliance(session, slug)


async def all_alliances(session: AsyncSession) -> list[tuple[uuid.UUID, str]]:
    """Every alliance the caller's scope shows (all of them, for the operator), by slug."""
    rows = (
        await session.execute(
            sa.select(KnownAlliance.id, KnownAlliance.slug).order_by(KnownAlliance.slug)
        )
    ).all()
    return [(r.id, r.slug) for r in rows]
