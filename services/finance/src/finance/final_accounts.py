"""Final accounts (决算) of a closed year: drawn up by the secretariat, approved by the council
(China-ASEAN Art.27) by a ``final_accounts_approval`` motion. The one writer of
``final_accounts``; the figures are frozen into the record when it is submitted (the year is
closed, so they cannot change anyway)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from charter.ids import MatterKind
from contracts.finance import FinalAccountsDecided
from finance import matters as matter_book
from finance import reports
from finance.access import AllianceRef
from finance.kinds import ApprovalStatus, MatterStatus, YearStatus
from finance.models import SOURCE, final_accounts, outbox
from finance.years import get_year
from servicekit.errors import Conflict, DomainError
from servicekit.events import record_event


async def submit(
    session: AsyncSession, *, alliance: AllianceRef, year: int, prepared_by: str
) -> sa.Row[Any]:
    fiscal_year = await get_year(session, alliance.id, year)
    if fiscal_year is None or fiscal_year.status == YearStatus.OPEN:
        raise DomainError(
            f"final accounts are drawn up for a closed year; close {year} first",
            code="YEAR_NOT_CLOSED",
        )
    live = await session.scalar(
        sa.select(final_accounts.c.id).where(
            final_accounts.c.alliance_id == alliance.id,
            final_accounts.c.fiscal_year == year,
            final_accounts.c.status != ApprovalStatus.REJECTED.value,
        )
    )
    if live is not None:
        raise Conflict(
            f"the final accounts of {year} are submitted already", code="FINAL_ACCOUNTS_EXIST"
        )
    rows = await reports.trial_balance(session, alliance.id, year)
    snapshot = {
        "trialBalance": [
            {
                "code": r.code,
                "currency": r.currency,
                "debitMinor": r.debit_minor,
                "creditMinor": r.credit_minor,
            }
            for r in rows
        ]
    }
    record_id = uuid.uuid4()
    await session.execute(
        sa.insert(final_accounts).values(
            id=record_id,
            alliance_id=alliance.id,
            fiscal_year=year,
            status=ApprovalStatus.SUBMITTED.value,
            snapshot=snapshot,
            prepared_by=prepared_by,
        )
    )
    matter = await matter_book.submit(
        session,
        alliance=alliance.id,
        kind=MatterKind.FINAL_ACCOUNTS_APPROVAL,
        subject_id=record_id,
        fiscal_year=year,
        title_zh=f"{alliance.slug} {year}年度经费决算",
        title_en=f"{alliance.slug} final accounts {year}",
        submitted_by=prepared_by,
    )
    await session.execute(
        sa.update(final_accounts)
        .where(final_accounts.c.id == record_id)
        .values(approval_matter_id=matter)
    )
    return (
        await session.execute(sa.select(final_accounts).where(final_accounts.c.id == record_id))
    ).one()


async def apply_decision(session: AsyncSession, matter: sa.Row[Any]) -> None:
    passed = matter.status == MatterStatus.PASSED
    await session.execute(
        sa.update(final_accounts)
        .where(final_accounts.c.id == matter.subject_id)
        .values(
            status=(ApprovalStatus.APPROVED if passed else ApprovalStatus.REJECTED).value,
            approval_matter_id=matter.id,
            approved_at=sa.func.now() if passed else None,
        )
    )
    await record_event(
        session,
        outbox,
        FinalAccountsDecided(
            alliance_id=matter.alliance_id,
            matter_id=matter.id,
            motion_id=matter.motion_id,
            fiscal_year=matter.fiscal_year,
            approved=passed,
            rule=matter.rule or "",
            final_accounts_id=matter.subject_id,
        ),
        source=SOURCE,
        subject=matter.subject_id,
        alliance_id=matter.alliance_id,
    )


async def of_year(session: AsyncSession, alliance: uuid.UUID, year: int) -> list[sa.Row[Any]]:
    return list(
        (
            await session.execute(
                sa.select(final_accounts)
                .where(
                    final_accounts.c.alliance_id == alliance, final_accounts.c.fiscal_year == year
                )
                .order_by(final_accounts.c.created_at)
            )
        ).all()
    )
