"""Memberships: an organisation in an alliance, with its tier, status and contact person."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from membership.models import Membership


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
