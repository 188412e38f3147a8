"""Budgets: prepared by an alliance's secretariat for a fiscal year, approved by its council."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from finance.models import SOURCE, Budget, KnownAlliance, outbox
from servicekit.auth import Principal
from servicekit.events import Envelope, record
from servicekit.graphql import DomainError, Forbidden, NotFound
from servicekit.graphql.errors import Conflict
from servicekit.graphql.ids import grouped

ALLIANCE_CREATED = "membership.alliance.created"
BUDGET_CREATED = "finance.budget.created"
CURRENCY = re.compile(r"^[A-Z]{3}$")


async def on_alliance_created(session: AsyncSession, event: Envelope) -> None:
    await session.execute(
        insert(KnownAlliance)
        .values(id=uuid.UUID(event.data["allianceId"]), slug=event.data["slug"])
        .on_conflict_do_nothing()
    )


async def create_budget(
    session: AsyncSession,
    actor: Principal,
    *,
    alliance_slug: str,
    fiscal_year: int,
    currency: str,
) -> Budget:
    if not actor.is_staff(alliance_slug):
        raise Forbidden(f"only the secretariat of {alliance_slug} prepares its budgets")
    alliance = await session.scalar(
        sa.select(KnownAlliance).where(KnownAlliance.slug == alliance_slug)
    )
    if alliance is None:
        raise NotFound(f"there is no alliance {alliance_slug!r}")
    if not 2000 <= fiscal_year <= 2200:
        raise DomainError("the fiscal year must be between 2000 and 2200", field="fiscalYear")
    if not CURRENCY.match(currency):
        raise DomainError("currency is an ISO 4217 code such as CNY", field="currency")
    exists = await session.scalar(
        sa.select(Budget.id).where(
            Budget.alliance_id == alliance.id, Budget.fiscal_year == fiscal_year
        )
    )
    if exists is not None:
        raise Conflict(
            f"{alliance_slug} has a budget for {fiscal_year} already", code="BUDGET_EXISTS"
        )
    budget = Budget(
        id=uuid.uuid4(),
        alliance_id=alliance.id,
        fiscal_year=fiscal_year,
        currency=currency,
        status="draft",
        prepared_by=actor.user_id,
    )
    session.add(budget)
    await session.flush()
    await record(
        session,
        outbox,
        source=SOURCE,
        type=BUDGET_CREATED,
        subject=budget.id,
        alliance_id=alliance.id,
        data={
            "budgetId": str(budget.id),
            "allianceId": str(alliance.id),
            "allianceSlug": alliance.slug,
            "fiscalYear": fiscal_year,
            "currency": currency,
            "preparedBy": actor.user_id,
        },
    )
    return budget


async def budgets_of(
    session: AsyncSession, alliance_ids: Sequence[uuid.UUID]
) -> list[list[Budget]]:
    rows = (
        await session.scalars(
            sa.select(Budget)
            .where(Budget.alliance_id.in_(alliance_ids))
            .order_by(Budget.fiscal_year.desc())
        )
    ).all()
    return grouped(rows, alliance_ids, lambda r: r.alliance_id)


async def budgets_by_id(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[Budget | None]:
    rows = (await session.scalars(sa.select(Budget).where(Budget.id.in_(ids)))).all()
    found = {b.id: b for b in rows}
    return [found.get(i) for i in ids]
