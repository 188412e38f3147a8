"""Governance's reads: bodies by alliance and by id, batched for DataLoaders."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from charter.ids import BodyId
from governance.models import Body
from servicekit.queries import grouped, rows_by_id

# Glossary order (the order of ``BodyId``): the order a clerk expects to read them in.
BODY_ORDER = tuple(BodyId)


def _rank(body: Body) -> int:
    return BODY_ORDER.index(BodyId(body.kind)) if body.kind in BODY_ORDER else len(BODY_ORDER)


async def bodies_of(session: AsyncSession, alliance_ids: Sequence[uuid.UUID]) -> list[list[Body]]:
    rows = (await session.scalars(sa.select(Body).where(Body.alliance_id.in_(alliance_ids)))).all()
    return grouped(sorted(rows, key=_rank), alliance_ids, lambda r: r.alliance_id)


async def bodies_by_id(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[Body | None]:
    return await rows_by_id(session, Body, ids)
