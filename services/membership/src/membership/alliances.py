"""Alliances: the tenants of the platform, each running by a versioned charter."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

import charter
from membership import events
from membership.charters import charter_document, parsed, template_document
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
    charter_yaml: str | None = None,
) -> Alliance:
    """Create an alliance from a charter template, or from a charter file of its own
    (platform operator only)."""
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
    document = charter_document(charter_yaml) if charter_yaml else template_document(template)
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


async def amend_charter(
    session: AsyncSession,
    actor: Principal,
    alliance: Alliance,
    changes: dict[str, Any],
    note: str,
) -> CharterVersion:
    """Adopt a new version of the charter with ``changes`` (dotted paths → new values).

    The motion that amends a charter is governance's; until it sends its decision the
    platform operator records an adopted amendment here. The new version and the
    differences, rule by rule, go out as ``membership.charter.amended``.
    """
    if not actor.operator:
        raise Forbidden("only the platform operator records an adopted charter amendment")
    if not note.strip():
        raise DomainError(
            "an amendment states what adopted it (motion, meeting, date)", field="note"
        )
    current = await current_charter(session, alliance)
    old = parsed(current)
    try:
        new = charter.amend(old, changes, note=note.strip())
    except charter.CharterError as exc:
        raise DomainError(f"the amendment is not valid: {exc}", code="INVALID_CHARTER") from exc
    differences = [
        {"path": c.path, "old": _plain(c.old), "new": _plain(c.new)} for c in charter.diff(old, new)
    ]
    if not differences:
        raise DomainError("the amendment changes nothing", field="changes")
    alliance.charter_version = current.version + 1
    version = CharterVersion(
        alliance_id=alliance.id,
        version=alliance.charter_version,
        document=new.to_data(),
        adopted_by=actor.user_id,
        reason=note.strip(),
    )
    session.add(version)
    await session.flush()
    await events.publish(
        session,
        events.CHARTER_AMENDED,
        subject=alliance.id,
        alliance_id=alliance.id,
        data={
            "allianceId": str(alliance.id),
            "slug": alliance.slug,
            "version": version.version,
            "previousVersion": current.version,
            "note": note.strip(),
            "changes": differences,
            "charter": version.document,
        },
    )
    return version


def _plain(value: Any) -> Any:
    """A JSON-able form of a charter value (fractions as strings, models as data)."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(value, (str, int, float, bool, type(None), list, dict)):
        return value
    return str(value)


async def versions_of(session: AsyncSession, alliance_id: uuid.UUID) -> Sequence[CharterVersion]:
    return (
        await session.scalars(
            sa.select(CharterVersion)
            .where(CharterVersion.alliance_id == alliance_id)
            .order_by(CharterVersion.version)
        )
    ).all()
