"""Who may keep an alliance's books and who may read them.

Keeping them (every write) is for those the charter's ``finance.managers`` names (China-ASEAN
Art.27: 联盟经费管理工作由秘书处负责; AITISA Art.12(1) and AII by default: the secretariat), read
from the charter in force (:mod:`finance.charters`), and for the platform operator. An officer
(chair, vice-chair, secretary-general) reads the books, and decides budgets and accounts by
vote in governance, but does not post to them unless the charter names the role. Everyone else
sees nothing (RLS)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from charter.model import Finance
from finance import charters
from finance.models import KnownAlliance
from servicekit.auth import Principal
from servicekit.auth.principal import CONTACT_PERSON
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


def _keeps(actor: Principal, slug: str, rules: Finance | None) -> bool:
    return bool(actor.roles_in(slug) & charters.keepers(rules))


async def may_keep(session: AsyncSession, actor: Principal, alliance: AllianceRef) -> bool:
    """Whether ``actor`` keeps the books of ``alliance`` (its charter's ``finance.managers``)."""
    if actor.operator:
        return True
    if not actor.roles_in(alliance.slug):
        return False
    return _keeps(actor, alliance.slug, await charters.finance_rules(session, alliance.id))


async def keeper_of(session: AsyncSession, actor: Principal, slug: str) -> AllianceRef:
    """The alliance whose books ``actor`` may write, or a typed refusal. The charter's rules
    are read once, for the decision and for the refusal's wording alike."""
    if not actor.operator and not actor.roles_in(slug) - {CONTACT_PERSON}:
        # no role there that a charter could name a keeper: refused before anything is read
        raise Forbidden(f"only the secretariat of {slug} keeps its books")
    alliance = await find_alliance(session, slug)
    if actor.operator:
        return alliance
    rules = await charters.finance_rules(session, alliance.id)
    if not _keeps(actor, slug, rules):
        named = ", ".join(sorted(charters.keepers(rules)))
        if rules is None:
            source = "until its charter reaches finance"
        elif rules.managed_by is None or rules.managed_by.source == "default":
            source = "a platform default where the charter is silent"
        else:
            source = rules.managed_by.source
        raise Forbidden(f"the books of {slug} are kept by: {named} ({source})")
    return alliance


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
