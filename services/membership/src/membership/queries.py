"""Membership's reads: what the API shows, batched for DataLoaders, paged by keyset.

Nothing here changes a row; the commands are in the aggregate modules (``alliances``,
``applications``, ``memberships``, ``organizations``, ``roles``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

import charter
from contracts.membership import MembershipStatus
from membership.alliances import current_charter
from membership.charters import parsed
from membership.models import (
    Alliance,
    Application,
    CharterVersion,
    Document,
    HistoryEntry,
    Membership,
    MembershipCount,
    Organization,
    RoleAssignment,
)
from servicekit.auth import Principal
from servicekit.errors import DomainError, Forbidden, NotFound
from servicekit.queries import grouped, keyset_page, keyset_rows, rows_by_id

# ------------------------------------------------------------------ rows by id (loaders)


async def alliances_by_id(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[Alliance | None]:
    return await rows_by_id(session, Alliance, ids)


async def organizations_by_id(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[Organization | None]:
    return await rows_by_id(session, Organization, ids)


async def memberships_by_id(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[Membership | None]:
    return await rows_by_id(session, Membership, ids)


async def applications_by_id(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[Application | None]:
    return await rows_by_id(session, Application, ids)


async def charters_in_force(
    session: AsyncSession, alliance_ids: Sequence[uuid.UUID]
) -> list[charter.Charter]:
    """The charter model in force for each alliance (each one visible to the caller)."""
    found = []
    for row in await alliances_by_id(session, alliance_ids):
        assert row is not None, "a visible record's alliance is visible"
        found.append(parsed(await current_charter(session, row)))
    return found


# --------------------------------------------------------------------------- alliances


async def visible_alliances(session: AsyncSession) -> Sequence[Alliance]:
    """Every alliance the transaction's tenant scope admits (row-level security decides)."""
    return (await session.scalars(sa.select(Alliance).order_by(Alliance.slug))).all()


async def alliance_by_slug(session: AsyncSession, slug: str) -> Alliance | None:
    return await session.scalar(sa.select(Alliance).where(Alliance.slug == slug))


async def visible_alliance(session: AsyncSession, slug: str) -> Alliance:
    row = await alliance_by_slug(session, slug)
    if row is None:
        raise NotFound(f"there is no alliance {slug!r} you may see")
    return row


async def versions_of(session: AsyncSession, alliance_id: uuid.UUID) -> Sequence[CharterVersion]:
    return (
        await session.scalars(
            sa.select(CharterVersion)
            .where(CharterVersion.alliance_id == alliance_id)
            .order_by(CharterVersion.version)
        )
    ).all()


async def current_roles(
    session: AsyncSession, alliance_ids: Sequence[uuid.UUID]
) -> list[list[RoleAssignment]]:
    rows = (
        await session.scalars(
            sa.select(RoleAssignment)
            .where(
                RoleAssignment.alliance_id.in_(alliance_ids), RoleAssignment.revoked_at.is_(None)
            )
            .order_by(RoleAssignment.role, RoleAssignment.name)
        )
    ).all()
    return grouped(rows, alliance_ids, lambda r: r.alliance_id)


# -------------------------------------------------------------------------- members


@dataclass(frozen=True)
class MemberFilter:
    tier: str | None = None
    status: str | None = MembershipStatus.ACTIVE
    country: str | None = None
    name: str | None = None

    def conditions(self, alliance_id: uuid.UUID) -> list[sa.ColumnElement[bool]]:
        where = [Membership.alliance_id == alliance_id]
        if self.tier:
            where.append(Membership.tier == self.tier)
        if self.status:
            where.append(Membership.status == self.status)
        if self.country:
            where.append(Membership.country == self.country.upper())
        if self.name:
            escaped = self.name.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
            where.append(Membership.sort_name.ilike(f"%{escaped}%"))
        return where


async def page_of_members(
    session: AsyncSession,
    alliance_id: uuid.UUID,
    filters: MemberFilter,
    *,
    first: int,
    after: Sequence[str] | None,
) -> Sequence[Membership]:
    """``first + 1`` members after the keyset cursor (name, id); the filtered total is the sum
    of :func:`totals_by_tier` (one count for both), read only when asked for."""
    return await keyset_rows(
        session,
        Membership,
        filters.conditions(alliance_id),
        order=[Membership.sort_name, Membership.id],
        after=(after[0], uuid.UUID(after[1])) if after else None,
        first=first,
    )


async def totals_by_tier(
    session: AsyncSession, alliance_id: uuid.UUID, filters: MemberFilter
) -> dict[str, int]:
    """How many members of each tier match ``filters`` (the tier filter itself aside): from the
    counts PostgreSQL keeps (``membership_counts``) unless the filters narrow by country or
    name, which only a count of the rows can answer."""
    if not filters.country and not filters.name:
        kept = await session.execute(
            sa.select(MembershipCount.tier, sa.func.sum(MembershipCount.members))
            .where(
                MembershipCount.alliance_id == alliance_id,
                *([MembershipCount.status == filters.status] if filters.status else []),
            )
            .group_by(MembershipCount.tier)
        )
        return {tier: int(count) for tier, count in kept.all() if count}
    unfiltered = MemberFilter(None, filters.status, filters.country, filters.name)
    rows = await session.execute(
        sa.select(Membership.tier, sa.func.count())
        .where(*unfiltered.conditions(alliance_id))
        .group_by(Membership.tier)
    )
    return {tier: int(count) for tier, count in rows.all()}


async def memberships_of(
    session: AsyncSession, organization_ids: Sequence[uuid.UUID]
) -> list[list[Membership]]:
    """Each organisation's memberships in every alliance the transaction may see."""
    rows = (
        await session.scalars(
            sa.select(Membership)
            .where(Membership.organization_id.in_(organization_ids))
            .order_by(Membership.joined_at)
        )
    ).all()
    return grouped(rows, organization_ids, lambda m: m.organization_id)


async def active_membership(
    session: AsyncSession, alliance_id: uuid.UUID, organization_id: uuid.UUID
) -> Membership | None:
    return await session.scalar(
        sa.select(Membership).where(
            Membership.alliance_id == alliance_id,
            Membership.organization_id == organization_id,
            Membership.status == MembershipStatus.ACTIVE,
        )
    )


# ------------------------------------------------------------------- a contact person


async def my_applications(session: AsyncSession, user_id: str) -> Sequence[Application]:
    """The applications ``user_id`` is the contact person of, newest first."""
    return (
        await session.scalars(
            sa.select(Application)
            .where(Application.contact_user_id == user_id)
            .order_by(Application.submitted_at.desc())
        )
    ).all()


async def my_memberships(session: AsyncSession, user_id: str) -> Sequence[Membership]:
    """The memberships ``user_id`` is the contact person of, oldest first."""
    return (
        await session.scalars(
            sa.select(Membership)
            .where(Membership.contact_user_id == user_id)
            .order_by(Membership.joined_at)
        )
    ).all()


async def alliance_of(
    session: AsyncSession, model: type[Membership] | type[Application], id: uuid.UUID
) -> uuid.UUID | None:
    """The alliance of a membership or application the caller can see (as its contact person
    or as staff): a command widens its scope to it, and the command decides whether the
    caller may act."""
    return await session.scalar(sa.select(model.alliance_id).where(model.id == id))


# ---------------------------------------------------------------- applications, history


async def page_of_applications(
    session: AsyncSession,
    actor: Principal,
    slug: str,
    alliance_id: uuid.UUID,
    *,
    status: str | None,
    kind: str | None,
    first: int,
    after: Sequence[str] | None,
) -> tuple[Sequence[Application], int]:
    """An alliance's applications for its staff, newest first, keyset on (submitted_at, id)."""
    if not actor.is_staff(slug):
        raise Forbidden(f"only the staff of {slug} list its applications")
    where = [Application.alliance_id == alliance_id]
    if status:
        where.append(Application.status == status)
    if kind:
        where.append(Application.kind == kind)
    return await keyset_page(
        session,
        Application,
        where,
        order=[Application.submitted_at, Application.id],
        after=(datetime.fromisoformat(after[0]), uuid.UUID(after[1])) if after else None,
        first=first,
        descending=True,
    )


async def history_of(
    session: AsyncSession,
    *,
    membership_ids: Sequence[uuid.UUID] = (),
    application_ids: Sequence[uuid.UUID] = (),
) -> dict[uuid.UUID, list[HistoryEntry]]:
    """Timelines, oldest first, keyed by membership or application id (one statement)."""
    rows = (
        await session.scalars(
            sa.select(HistoryEntry)
            .where(
                sa.or_(
                    HistoryEntry.membership_id.in_(membership_ids),
                    HistoryEntry.application_id.in_(application_ids),
                )
            )
            .order_by(HistoryEntry.at, HistoryEntry.id)
        )
    ).all()
    timelines: dict[uuid.UUID, list[HistoryEntry]] = {}
    for row in rows:
        key = row.membership_id or row.application_id
        assert key is not None
        timelines.setdefault(key, []).append(row)
    return timelines


async def documents_of(
    session: AsyncSession, application_ids: Sequence[uuid.UUID]
) -> list[list[Document]]:
    """The materials of each application (one statement for the batch)."""
    rows = (
        await session.scalars(
            sa.select(Document)
            .where(Document.application_id.in_(application_ids))
            .order_by(Document.uploaded_at, Document.material)
        )
    ).all()
    return grouped(rows, application_ids, lambda d: d.application_id)


# ---------------------------------------------------------------------------- rights


@dataclass(frozen=True)
class RightAnswer:
    """Whether an organisation holds a right, with the tier and the article."""

    allowed: bool
    tier: str | None
    source: str | None
    reason: str


async def right_check(
    session: AsyncSession, alliance: Alliance, organization_id: uuid.UUID, right: str
) -> RightAnswer:
    """Whether an organisation holds ``right`` in ``alliance`` under the charter in force."""
    model = parsed(await current_charter(session, alliance))
    known = {r.id for t in model.tier_ids for r in model.rights_of(t)}
    if right not in known:
        raise DomainError(
            f"the charter of {alliance.slug} grants no right {right!r}; its rights "
            f"are {', '.join(sorted(known))}",
            code="UNKNOWN_RIGHT",
        )
    member = await active_membership(session, alliance.id, organization_id)
    if member is None:
        return RightAnswer(False, None, None, f"not an active member of {alliance.slug}")
    granted = next((r for r in model.rights_of(member.tier) if r.id == right), None)
    if granted is None:
        holders = [
            str(t.value) for t in model.tier_ids if any(r.id == right for r in model.rights_of(t))
        ]
        return RightAnswer(
            False,
            member.tier,
            None,
            f"a {member.tier} member does not hold {right}; {', '.join(holders)} members do",
        )
    return RightAnswer(
        True,
        member.tier,
        granted.source,
        f"a {member.tier} member holds {right} ({granted.source})",
    )
