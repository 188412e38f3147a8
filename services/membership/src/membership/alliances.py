"""Alliances: the tenants of the platform, each running by a versioned charter."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from membership import events
from membership.charters import template_document
from membership.models import Alliance, CharterVersion
from servicekit.auth import Principal
from servicekit.graphql import DomainError, Forbidden
from servicekit.graphql.errors import Conflict
from servicekit.tenancy import alliance_id

SLUG = re.compile(r"^[a-z][a-z0-9-]{0,38}[a-z0-9]$")


async def create_alliance(
    session: AsyncSession,
    actor: Principal,
    *,
    slug: str,
    name_zh: str,
    name_en: str,
    template: str,
) -> Alliance:
    """Create an alliance from a charter template (platform operator only)."""
    if not actor.operator:
        raise Forbidden("only the platform operator creates alliances")
    if not SLUG.match(slug):
        raise DomainError(
            "a slug is 2–40 lower-case letters, digits and hyphens, starting with a letter",
            code="INVALID_SLUG",
            field="slug",
        )
    if not name_zh.strip():
        raise DomainError("the alliance needs a Chinese name", field="nameZh")
    document = template_document(template)
    aid = alliance_id(slug)
    if await session.get(Alliance, aid) is not None:
        raise Conflict(f"an alliance with slug {slug!r} exists already", code="ALLIANCE_EXISTS")
    alliance = Alliance(
        id=aid,
        slug=slug,
        name_zh=name_zh.strip(),
        name_en=name_en.strip() or name_zh.strip(),
        template=template,
        charter_version=1,
        created_by=actor.user_id,
    )
    session.add(alliance)
    session.add(
        CharterVersion(
            alliance_id=aid,
            version=1,
            document=document,
            adopted_by=actor.user_id,
            reason=f"created from the {template} template",
        )
    )
    await session.flush()
    await events.publish(
        session,
        events.ALLIANCE_CREATED,
        subject=aid,
        alliance_id=aid,
        data={
            "allianceId": str(aid),
            "slug": slug,
            "nameZh": alliance.name_zh,
            "nameEn": alliance.name_en,
            "template": template,
        },
    )
    await events.publish(
        session,
        events.CHARTER_ADOPTED,
        subject=aid,
        alliance_id=aid,
        data={
            "allianceId": str(aid),
            "slug": slug,
            "version": 1,
            "charter": document,
        },
    )
    return alliance


async def alliances_by_id(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[Alliance | None]:
    rows = (await session.scalars(sa.select(Alliance).where(Alliance.id.in_(ids)))).all()
    found = {a.id: a for a in rows}
    return [found.get(i) for i in ids]


async def visible_alliances(session: AsyncSession) -> Sequence[Alliance]:
    """Every alliance the transaction's tenant scope admits (row-level security decides)."""
    return (await session.scalars(sa.select(Alliance).order_by(Alliance.slug))).all()


async def by_slug(session: AsyncSession, slug: str) -> Alliance | None:
    return await session.scalar(sa.select(Alliance).where(Alliance.slug == slug))


async def current_charter(session: AsyncSession, alliance: Alliance) -> CharterVersion:
    version = await session.get(CharterVersion, (alliance.id, alliance.charter_version))
    assert version is not None, "an alliance always has its current charter version"
    return version
