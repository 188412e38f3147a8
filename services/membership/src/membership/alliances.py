"""Alliances: the tenants of the platform, each running by a versioned charter."""

from __future__ import annotations

import re
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

import charter
from contracts.membership import CharterChange
from membership import events
from membership.charters import charter_document, parsed, template_document
from membership.models import Alliance, CharterVersion
from servicekit.auth import Principal
from servicekit.errors import Conflict, DomainError, Forbidden, NotFound
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
    version = await current_charter(session, alliance)
    for event in (events.alliance_created(alliance), events.charter_adopted(alliance, version)):
        await events.publish(session, event, subject=aid, alliance_id=aid)
    return alliance


async def current_charter(session: AsyncSession, alliance: Alliance) -> CharterVersion:
    version = await session.get(CharterVersion, (alliance.id, alliance.charter_version))
    assert version is not None, "an alliance always has its current charter version"
    return version


async def amend_charter(
    session: AsyncSession,
    actor: Principal,
    slug: str,
    changes: dict[str, Any],
    note: str,
) -> Alliance:
    """Adopt a new version of the charter with ``changes`` (dotted paths → new values).

    For an amendment adopted off the platform (a paper meeting), recorded by the platform
    operator; one voted on the platform arrives as governance's ``motion.decided`` and is
    recorded citing its motion (``consumers.on_motion_decided``). The new version and the
    differences, rule by rule, go out as ``membership.charter.amended``.
    """
    alliance = await session.scalar(
        sa.select(Alliance).where(Alliance.slug == slug).with_for_update()
    )
    if alliance is None:
        raise NotFound(f"there is no alliance {slug!r} you may see")
    if not actor.operator:
        raise Forbidden("only the platform operator records an adopted charter amendment")
    if not note.strip():
        raise DomainError(
            "an amendment states what adopted it (motion, meeting, date)", field="note"
        )
    await adopt_amendment(session, alliance, changes, note.strip(), adopted_by=actor.user_id)
    return alliance


async def adopt_amendment(
    session: AsyncSession,
    alliance: Alliance,
    changes: dict[str, Any],
    note: str,
    *,
    adopted_by: str,
    motion_id: uuid.UUID | None = None,
) -> CharterVersion:
    """Record the next charter version (the one writer of charter versions): by the platform
    operator for an amendment adopted off the platform, or from governance's motion."""
    current = await current_charter(session, alliance)
    old = parsed(current)
    try:
        new = charter.amend(old, changes, note=note)
    except charter.CharterError as exc:
        raise DomainError(f"the amendment is not valid: {exc}", code="INVALID_CHARTER") from exc
    differences = [
        CharterChange(path=c.path, old=_plain(c.old), new=_plain(c.new))
        for c in charter.diff(old, new)
    ]
    if not differences:
        raise DomainError("the amendment changes nothing", field="changes")
    alliance.charter_version = current.version + 1
    version = CharterVersion(
        alliance_id=alliance.id,
        version=alliance.charter_version,
        document=new.to_data(),
        adopted_by=adopted_by,
        motion_id=motion_id,
        reason=note,
    )
    session.add(version)
    await session.flush()
    await events.publish(
        session,
        events.charter_amended(
            alliance, version, previous_version=current.version, changes=differences
        ),
        subject=alliance.id,
        alliance_id=alliance.id,
    )
    return version


def _plain(value: Any) -> Any:
    """A JSON-able form of a charter value (fractions as strings, models as data)."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(value, (str, int, float, bool, type(None), list, dict)):
        return value
    return str(value)
