"""Finance's reads: budgets by alliance and by id, batched for DataLoaders."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from finance.models import Budget, accounts, budget_lines, funds
from servicekit.queries import grouped, rows_by_id


async def budgets_of(
    session: AsyncSession, alliance_ids: Sequence[uuid.UUID]
) -> list[list[Budget]]:
    rows = (
        await session.scalars(
            sa.select(Budget)
            .where(Budget.alliance_id.in_(alliance_ids))
            .order_by(Budget.fiscal_year.desc(), Budget.working_group_name.nulls_first())
        )
    ).all()
    return grouped(rows, alliance_ids, lambda r: r.alliance_id)


async def budgets_by_id(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[Budget | None]:
    return await rows_by_id(session, Budget, ids)


async def budget_lines_of(
    session: AsyncSession, budget_ids: Sequence[uuid.UUID]
) -> list[list[sa.Row[Any]]]:
    rows = (
        await session.execute(
            sa.select(
                budget_lines.c.budget_id,
                budget_lines.c.amount_minor,
                budget_lines.c.note,
                accounts.c.code.label("account"),
                accounts.c.name_zh,
                accounts.c.name_en,
                funds.c.code.label("fund"),
            )
            .join(accounts, accounts.c.id == budget_lines.c.account_id)
            .outerjoin(funds, funds.c.id == budget_lines.c.fund_id)
            .where(budget_lines.c.budget_id.in_(budget_ids))
            .order_by(accounts.c.code, funds.c.code.nulls_first())
        )
    ).all()
    return grouped(rows, budget_ids, lambda r: r.budget_id)
