"""What finance keeps of an alliance: its books are opened when the alliance is created (the
chart of accounts, the unrestricted fund in CNY, the fiscal year of its creation)."""

from __future__ import annotations

import uuid

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.membership import AllianceCreated
from finance.chart import CHART, GENERAL_FUND
from finance.kinds import FundSource, Restriction, YearStatus
from finance.models import KnownAlliance, accounts, fiscal_years, funds
from finance.money import DEFAULT_CURRENCY
from servicekit.events import Envelope


async def open_books(session: AsyncSession, alliance: uuid.UUID, slug: str, year: int) -> None:
    """Idempotently: the alliance, its chart of accounts, its general fund, its first year."""
    await session.execute(
        insert(KnownAlliance).values(id=alliance, slug=slug).on_conflict_do_nothing()
    )
    await session.execute(
        insert(accounts)
        .values(
            [
                {
                    "id": uuid.uuid5(alliance, f"account:{a.code}"),
                    "alliance_id": alliance,
                    "code": a.code,
                    "kind": a.kind.value,
                    "name_zh": a.name_zh,
                    "name_en": a.name_en,
                    "income_source": a.income_source.value if a.income_source else None,
                    "expense_use": a.expense_use.value if a.expense_use else None,
                    "source": a.article,
                }
                for a in CHART
            ]
        )
        .on_conflict_do_nothing()
    )
    await session.execute(
        insert(funds)
        .values(
            id=uuid.uuid5(alliance, f"fund:{GENERAL_FUND}"),
            alliance_id=alliance,
            code=GENERAL_FUND,
            name_zh="非限定性资金",
            name_en="Unrestricted fund",
            restriction=Restriction.UNRESTRICTED.value,
            source=FundSource.GENERAL.value,
            purposes=[],
            shares=[],
            currency=DEFAULT_CURRENCY.value,
            balance_minor=0,
            version=0,
        )
        .on_conflict_do_nothing()
    )
    await session.execute(
        insert(fiscal_years)
        .values(alliance_id=alliance, year=year, status=YearStatus.OPEN.value)
        .on_conflict_do_nothing()
    )


async def on_alliance_created(
    session: AsyncSession, event: AllianceCreated, envelope: Envelope
) -> None:
    await open_books(session, event.alliance_id, event.slug, envelope.time.year)
