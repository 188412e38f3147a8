"""Fiscal years (会计年度, the calendar year): opened, closed, and locked by the audit. The one
writer of ``fiscal_years``; PostgreSQL refuses any other transition than open → closed →
audited, and any entry into a year that is not open."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.finance import FiscalYearClosed
from finance.kinds import YearStatus
from finance.models import SOURCE, fiscal_years, outbox
from servicekit.errors import DomainError
from servicekit.events import record_event


def _check_range(year: int) -> None:
    if not 2000 <= year <= 2200:
        raise DomainError("the fiscal year must be between 2000 and 2200", field="fiscalYear")


async def get_year(session: AsyncSession, alliance: uuid.UUID, year: int) -> sa.Row[Any] | None:
    return (
        await session.execute(
            sa.select(fiscal_years).where(
                fiscal_years.c.alliance_id == alliance, fiscal_years.c.year == year
            )
        )
    ).first()


async def years_of(session: AsyncSession, alliance: uuid.UUID) -> list[sa.Row[Any]]:
    return list(
        (
            await session.execute(
                sa.select(fiscal_years)
                .where(fiscal_years.c.alliance_id == alliance)
                .order_by(fiscal_years.c.year)
            )
        ).all()
    )


async def open_year(session: AsyncSession, alliance: uuid.UUID, year: int) -> sa.Row[Any]:
    _check_range(year)
    await session.execute(
        insert(fiscal_years)
        .values(alliance_id=alliance, year=year, status=YearStatus.OPEN.value)
        .on_conflict_do_nothing()
    )
    row = await get_year(session, alliance, year)
    assert row is not None
    return row


async def close_year(
    session: AsyncSession, alliance: uuid.UUID, year: int, closed_by: str
) -> sa.Row[Any]:
    """Close an open year: nothing more is posted into it; its final accounts can be drawn."""
    current = (
        await session.execute(
            sa.select(fiscal_years)
            .where(fiscal_years.c.alliance_id == alliance, fiscal_years.c.year == year)
            .with_for_update()
        )
    ).first()
    if current is None:
        raise DomainError(f"fiscal year {year} was never opened", code="YEAR_NOT_OPEN")
    if current.status != YearStatus.OPEN:
        raise DomainError(f"fiscal year {year} is {current.status} already", code="YEAR_CLOSED")
    await session.execute(
        sa.update(fiscal_years)
        .where(fiscal_years.c.alliance_id == alliance, fiscal_years.c.year == year)
        .values(status=YearStatus.CLOSED.value, closed_at=sa.func.now(), closed_by=closed_by)
    )
    await record_event(
        session,
        outbox,
        FiscalYearClosed(alliance_id=alliance, fiscal_year=year, closed_by=closed_by),
        source=SOURCE,
        subject=f"{alliance}/{year}",
        alliance_id=alliance,
    )
    row = await get_year(session, alliance, year)
    assert row is not None
    return row


async def lock_audited(session: AsyncSession, alliance: uuid.UUID, year: int) -> None:
    """The audit report is in: the year is locked for good (only from closed)."""
    await session.execute(
        sa.update(fiscal_years)
        .where(fiscal_years.c.alliance_id == alliance, fiscal_years.c.year == year)
        .values(status=YearStatus.AUDITED.value, audited_at=sa.func.now())
    )
