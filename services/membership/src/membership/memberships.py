"""Memberships: an organisation in an alliance, with its tier, status and contact person."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from membership import events
from membership.alliances import current_charter
from membership.charters import parsed
from membership.models import Alliance, Application, Document, HistoryEntry, Membership
from servicekit.auth import Principal
from servicekit.graphql import DomainError, Forbidden, NotFound
from servicekit.graphql.errors import Conflict
from servicekit.graphql.ids import grouped


@dataclass(frozen=True)
class MemberFilter:
    tier: str | None = None
    status: str | None = "active"
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
) -> tuple[Sequence[Membership], int]:
    """``first + 1`` members after the keyset cursor (name, id), and the filtered total.

    Two statements whatever the page size: the page (an index range scan) and the count.
    """
    where = filters.conditions(alliance_id)
    query = sa.select(Membership).where(*where)
    if after is not None:
        query = query.where(
            sa.tuple_(Membership.sort_name, Membership.id)
            > sa.tuple_(sa.literal(after[0]), sa.literal(uuid.UUID(after[1])))
        )
    rows = (
        await session.scalars(query.order_by(Membership.sort_name, Membership.id).limit(first + 1))
    ).all()
    total = await session.scalar(sa.select(sa.func.count()).select_from(Membership).where(*where))
    return rows, int(total or 0)


async def memberships_by_id(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[Membership | None]:
    rows = (await session.scalars(sa.select(Membership).where(Membership.id.in_(ids)))).all()
    found = {m.id: m for m in rows}
    return [found.get(i) for i in ids]


async def totals_by_tier(
    session: AsyncSession, alliance_id: uuid.UUID, filters: MemberFilter
) -> dict[str, int]:
    """How many members of each tier match ``filters`` (the tier filter itself aside)."""
    unfiltered = MemberFilter(None, filters.status, filters.country, filters.name)
    rows = await session.execute(
        sa.select(Membership.tier, sa.func.count())
        .where(*unfiltered.conditions(alliance_id))
        .group_by(Membership.tier)
    )
    return {tier: int(count) for tier, count in rows.all()}


@dataclass(frozen=True)
class ContactInput:
    user_id: str
    name: str
    email: str


async def change_contact(
    session: AsyncSession,
    actor: Principal,
    membership_id: uuid.UUID,
    contact: ContactInput,
    reason: str | None,
) -> Membership:
    """Designate another contact person (AII Art.14(5), China-ASEAN Art.19(6)); the
    secretariat or the current contact person may."""
    membership = await _locked(session, membership_id)
    alliance = await session.get(Alliance, membership.alliance_id)
    assert alliance is not None
    if not (actor.is_staff(alliance.slug) or actor.user_id == membership.contact_user_id):
        raise Forbidden(
            "only the secretariat or the current contact person designates a new contact person",
            code="NOT_CONTACT_PERSON",
        )
    if not contact.user_id.strip() or not contact.name.strip() or "@" not in contact.email:
        raise DomainError(
            "the contact person needs a user id, a name and an e-mail address", field="contact"
        )
    version = await current_charter(session, alliance)
    rule = parsed(version).membership.contact_person
    previous = membership.contact_user_id
    membership.contact_user_id = contact.user_id.strip()
    membership.contact_name = contact.name.strip()
    membership.contact_email = contact.email.strip()
    session.add(
        HistoryEntry(
            alliance_id=alliance.id,
            membership_id=membership.id,
            change="contact",
            from_value=previous,
            to_value=membership.contact_user_id,
            actor=actor.user_id,
            reason=reason,
            rule=rule.source if rule else None,
            charter_version=version.version,
        )
    )
    await session.flush()
    await events.publish(
        session,
        events.CONTACT_CHANGED,
        subject=membership.id,
        alliance_id=alliance.id,
        data=member_event_data(membership, alliance, previousContactUserId=previous),
    )
    return membership


async def record_licence_revocation(
    session: AsyncSession,
    actor: Principal,
    membership_id: uuid.UUID,
    reference: str,
    reason: str | None,
) -> Membership:
    """The secretariat records that the member's licence was revoked; where the charter says
    so (AII Art.15(2)) the membership ends automatically."""
    membership = await _locked(session, membership_id)
    alliance = await session.get(Alliance, membership.alliance_id)
    assert alliance is not None
    if not actor.is_staff(alliance.slug):
        raise Forbidden(f"only the secretariat of {alliance.slug} records a revoked licence")
    version = await current_charter(session, alliance)
    rule = next(
        (
            r
            for r in parsed(version).automatic_rules
            if r.trigger == "licence_revoked" and r.effect == "membership_ends"
        ),
        None,
    )
    if rule is None:
        raise Conflict(
            f"the charter of {alliance.slug} does not end a membership on a revoked "
            "licence; propose an expulsion instead",
            code="RULE_NOT_IN_CHARTER",
        )
    if membership.status != "active":
        raise Conflict(f"the membership is {membership.status}", code="MEMBERSHIP_ENDED")
    if not reference.strip():
        raise DomainError("the revocation's reference is required", field="reference")
    membership.status, membership.ended_at = "terminated", datetime.now(UTC)
    why = f"licence revoked ({reference.strip()})" + (f": {reason.strip()}" if reason else "")
    session.add(
        HistoryEntry(
            alliance_id=alliance.id,
            membership_id=membership.id,
            change="status",
            from_value="active",
            to_value="terminated",
            actor=actor.user_id,
            reason=why,
            rule=rule.source,
            charter_version=version.version,
        )
    )
    await session.flush()
    await events.publish(
        session,
        events.MEMBER_TERMINATED,
        subject=membership.id,
        alliance_id=alliance.id,
        data=member_event_data(membership, alliance, reason=why, rule=rule.source),
    )
    return membership


def member_event_data(membership: Membership, alliance: Alliance, **extra: Any) -> dict[str, Any]:
    return {
        "membershipId": str(membership.id),
        "allianceId": str(alliance.id),
        "allianceSlug": alliance.slug,
        "allianceNameZh": alliance.name_zh,
        "allianceNameEn": alliance.name_en,
        "organizationId": str(membership.organization_id),
        "organizationNameZh": membership.sort_name,
        "organizationNameEn": "",
        "tier": membership.tier,
        "status": membership.status,
        "contactUserId": membership.contact_user_id,
        "contactName": membership.contact_name,
        **extra,
    }


async def _locked(session: AsyncSession, membership_id: uuid.UUID) -> Membership:
    found = await session.scalar(
        sa.select(Membership).where(Membership.id == membership_id).with_for_update()
    )
    if found is None:
        raise NotFound("no such membership")
    return found


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


async def of_organization(
    session: AsyncSession, organization_id: uuid.UUID
) -> Sequence[Membership]:
    """An organisation's memberships in every alliance the transaction may see."""
    return (
        await session.scalars(
            sa.select(Membership)
            .where(Membership.organization_id == organization_id)
            .order_by(Membership.joined_at)
        )
    ).all()


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


async def page_of_applications(
    session: AsyncSession,
    alliance_id: uuid.UUID,
    *,
    status: str | None,
    kind: str | None,
    first: int,
    after: Sequence[str] | None,
) -> tuple[Sequence[Application], int]:
    """Newest first, keyset on (submitted_at, id)."""
    where = [Application.alliance_id == alliance_id]
    if status:
        where.append(Application.status == status)
    if kind:
        where.append(Application.kind == kind)
    query = sa.select(Application).where(*where)
    if after is not None:
        query = query.where(
            sa.tuple_(Application.submitted_at, Application.id)
            < sa.tuple_(
                sa.literal(datetime.fromisoformat(after[0])), sa.literal(uuid.UUID(after[1]))
            )
        )
    rows = (
        await session.scalars(
            query.order_by(Application.submitted_at.desc(), Application.id.desc()).limit(first + 1)
        )
    ).all()
    total = await session.scalar(sa.select(sa.func.count()).select_from(Application).where(*where))
    return rows, int(total or 0)
