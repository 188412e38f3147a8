"""Membership fees: fee schedules per tier and year, an invoice to each member organisation on
admission and for each year, payments against invoices, overdue invoices. The one writer of
``fee_schedules``, ``members``, ``invoices`` and ``payments``.

None of the three seed charters sets fee amounts (China-ASEAN Art.24 only names fees as a
source): a schedule records the decision that set it (``decided_by``, e.g. a council
resolution). Defaults, marked as such: an invoice is due 30 days after issue; an admission is
invoiced for its calendar year only if a schedule for that year and tier exists (otherwise
the annual run invoices it once one does).
"""

from __future__ import annotations

import logging
import uuid
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.finance import InvoiceIssued, InvoiceOverdue
from contracts.membership import MemberAdmitted, MemberEvent
from finance.chart import BANK, FEES_RECEIVABLE, GENERAL_FUND, INCOME_ACCOUNT
from finance.kinds import EntryKind, IncomeSource, InvoiceStatus, Side, YearStatus
from finance.ledger import Line, post_entry, year_status
from finance.models import SOURCE, fee_schedules, invoices, members, outbox, payments
from finance.money import Currency, from_minor
from servicekit.errors import Conflict, DomainError, NotFound
from servicekit.events import Envelope, record_event
from servicekit.events.revisions import newer

log = logging.getLogger(__name__)
DUE_DAYS = 30  # default: no seed charter sets a payment term


async def set_fee(
    session: AsyncSession,
    *,
    alliance: uuid.UUID,
    year: int,
    tier: str,
    minor: int,
    currency: Currency,
    decided_by: str,
) -> sa.Row[Any]:
    if not decided_by.strip():
        raise DomainError(
            "name the decision that set the fee (e.g. the council resolution)", field="decidedBy"
        )
    exists = await session.scalar(
        sa.select(fee_schedules.c.id).where(
            fee_schedules.c.alliance_id == alliance,
            fee_schedules.c.fiscal_year == year,
            fee_schedules.c.tier == tier,
        )
    )
    if exists is not None:
        raise Conflict(f"the {year} fee of tier {tier} is set already", code="FEE_EXISTS")
    await session.execute(
        sa.insert(fee_schedules).values(
            id=uuid.uuid4(),
            alliance_id=alliance,
            fiscal_year=year,
            tier=tier,
            amount_minor=minor,
            currency=currency.value,
            decided_by=decided_by,
        )
    )
    return (
        await session.execute(
            sa.select(fee_schedules).where(
                fee_schedules.c.alliance_id == alliance,
                fee_schedules.c.fiscal_year == year,
                fee_schedules.c.tier == tier,
            )
        )
    ).one()


async def fees_of(session: AsyncSession, alliance: uuid.UUID, year: int) -> list[sa.Row[Any]]:
    return list(
        (
            await session.execute(
                sa.select(fee_schedules)
                .where(fee_schedules.c.alliance_id == alliance, fee_schedules.c.fiscal_year == year)
                .order_by(fee_schedules.c.tier)
            )
        ).all()
    )


def _invoice_event(cls: type[InvoiceIssued] | type[InvoiceOverdue], row: sa.Row[Any], **extra: Any):
    return cls(
        invoice_id=row.id,
        alliance_id=row.alliance_id,
        membership_id=row.membership_id,
        organization_id=row.organization_id,
        fiscal_year=row.fiscal_year,
        amount=str(from_minor(row.amount_minor, row.currency)),
        currency=row.currency,
        due_on=row.due_on,
        **extra,
    )


async def issue_invoice(
    session: AsyncSession, member: sa.Row[Any], year: int, issued_on: date, posted_by: str
) -> sa.Row[Any] | None:
    """The member's invoice for ``year``: at most one (a retry or redelivery issues nothing
    new); ``None`` when no fee is scheduled for its tier or the year is not open."""
    existing = (
        await session.execute(
            sa.select(invoices).where(
                invoices.c.membership_id == member.membership_id, invoices.c.fiscal_year == year
            )
        )
    ).first()
    if existing is not None:
        return existing
    fee = (
        await session.execute(
            sa.select(fee_schedules).where(
                fee_schedules.c.alliance_id == member.alliance_id,
                fee_schedules.c.fiscal_year == year,
                fee_schedules.c.tier == member.tier,
            )
        )
    ).first()
    if (
        fee is None
        or await year_status(session, member.alliance_id, issued_on.year) != YearStatus.OPEN
    ):
        return None
    posted = await post_entry(
        session,
        alliance=member.alliance_id,
        posted_by=posted_by,
        entry_date=issued_on,
        currency=Currency(fee.currency),
        kind=EntryKind.INVOICE,
        memo=f"{year}年度会费 / membership fee {year}: {member.organization_name_zh}",
        lines=[
            Line(FEES_RECEIVABLE, GENERAL_FUND, Side.DEBIT, fee.amount_minor),
            Line(
                INCOME_ACCOUNT[IncomeSource.MEMBERSHIP_FEES],
                GENERAL_FUND,
                Side.CREDIT,
                fee.amount_minor,
            ),
        ],
        idempotency_key=f"invoice:{member.membership_id}:{year}",
    )
    invoice_id = uuid.uuid4()
    await session.execute(
        insert(invoices).values(
            id=invoice_id,
            alliance_id=member.alliance_id,
            membership_id=member.membership_id,
            organization_id=member.organization_id,
            fiscal_year=year,
            tier=member.tier,
            amount_minor=fee.amount_minor,
            paid_minor=0,
            currency=fee.currency,
            issued_on=issued_on,
            due_on=issued_on + timedelta(days=DUE_DAYS),
            status=InvoiceStatus.OPEN.value,
            entry_id=posted.entry.id,
        )
    )
    row = (await session.execute(sa.select(invoices).where(invoices.c.id == invoice_id))).one()
    await record_event(
        session,
        outbox,
        _invoice_event(InvoiceIssued, row),
        source=SOURCE,
        subject=invoice_id,
        alliance_id=member.alliance_id,
    )
    return row


async def _keep_member(
    session: AsyncSession, event: MemberEvent, envelope: Envelope
) -> sa.Row[Any]:
    """The member as it now stands, from any member event. An event older than the state kept
    (a retried event overtaken by a later one) leaves tier and status alone; the admission
    date is the earliest heard of (a change heard before the admission stands in for it)."""
    applies = newer(members.c.revision, event.revision)
    statement = insert(members).values(
        membership_id=event.membership_id,
        alliance_id=event.alliance_id,
        organization_id=event.organization_id,
        organization_name_zh=event.organization_name_zh,
        tier=event.tier.value,
        status=event.status.value,
        admitted_on=envelope.time.date(),
        revision=event.revision,
    )
    fresh = statement.excluded
    return (
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["membership_id"],
                set_={
                    "tier": sa.case((applies, fresh.tier), else_=members.c.tier),
                    "status": sa.case((applies, fresh.status), else_=members.c.status),
                    "revision": sa.case((applies, fresh.revision), else_=members.c.revision),
                    "admitted_on": sa.func.least(members.c.admitted_on, fresh.admitted_on),
                },
            ).returning(*members.c)
        )
    ).one()


async def on_member_admitted(
    session: AsyncSession, event: MemberAdmitted, envelope: Envelope
) -> None:
    member = await _keep_member(session, event, envelope)
    admitted_on = envelope.time.date()
    await issue_invoice(session, member, admitted_on.year, admitted_on, "finance:admission")


async def on_member_changed(session: AsyncSession, event: MemberEvent, envelope: Envelope) -> None:
    """Tier changes and endings: the next annual invoice follows the member's tier and status."""
    await _keep_member(session, event, envelope)


async def issue_annual(
    session: AsyncSession, *, alliance: uuid.UUID, year: int, issued_on: date, posted_by: str
) -> list[sa.Row[Any]]:
    """Each active member's invoice for ``year`` (those invoiced already are left alone)."""
    status = await year_status(session, alliance, issued_on.year)
    if status != YearStatus.OPEN:
        raise DomainError(f"fiscal year {issued_on.year} is not open", code="YEAR_CLOSED")
    if not await fees_of(session, alliance, year):
        raise DomainError(f"no fee is scheduled for {year}", code="NO_FEE_SCHEDULE")
    active = (
        await session.execute(
            sa.select(members)
            .where(members.c.alliance_id == alliance, members.c.status == "active")
            .order_by(members.c.admitted_on, members.c.membership_id)
        )
    ).all()
    issued = []
    for member in active:
        row = await issue_invoice(session, member, year, issued_on, posted_by)
        if row is not None:
            issued.append(row)
    return issued


async def record_payment(
    session: AsyncSession,
    *,
    alliance: uuid.UUID,
    invoice_id: uuid.UUID,
    minor: int,
    paid_on: date,
    posted_by: str,
    idempotency_key: str | None = None,
) -> sa.Row[Any]:
    invoice = (
        await session.execute(
            sa.select(invoices)
            .where(invoices.c.id == invoice_id, invoices.c.alliance_id == alliance)
            .with_for_update()
        )
    ).first()
    if invoice is None:
        raise NotFound("there is no such invoice")
    key = idempotency_key or None
    if key is not None:
        replay = await session.scalar(
            sa.text(
                "SELECT 1 FROM journal_entries WHERE alliance_id = :a AND idempotency_key = :k"
            ).bindparams(a=alliance, k=key)
        )
        if replay is not None:  # the payment was recorded by the first try
            return (
                await session.execute(sa.select(invoices).where(invoices.c.id == invoice.id))
            ).one()
    outstanding = invoice.amount_minor - invoice.paid_minor
    if minor > outstanding:
        raise DomainError(
            f"the invoice has {from_minor(outstanding, invoice.currency)} {invoice.currency} "
            "outstanding; a payment cannot exceed it",
            code="OVERPAYMENT",
        )
    posted = await post_entry(
        session,
        alliance=alliance,
        posted_by=posted_by,
        entry_date=paid_on,
        currency=Currency(invoice.currency),
        kind=EntryKind.PAYMENT,
        memo=f"会费收款 / fee payment, invoice {invoice.id}",
        lines=[
            Line(BANK, GENERAL_FUND, Side.DEBIT, minor),
            Line(FEES_RECEIVABLE, GENERAL_FUND, Side.CREDIT, minor),
        ],
        idempotency_key=key,
    )
    if posted.replayed:
        return invoice
    await session.execute(
        sa.insert(payments).values(
            id=uuid.uuid4(),
            alliance_id=alliance,
            invoice_id=invoice.id,
            amount_minor=minor,
            currency=invoice.currency,
            paid_on=paid_on,
            entry_id=posted.entry.id,
        )
    )
    paid = invoice.paid_minor + minor
    await session.execute(
        sa.update(invoices)
        .where(invoices.c.id == invoice.id)
        .values(
            paid_minor=paid,
            status=(
                InvoiceStatus.PAID
                if paid == invoice.amount_minor
                else InvoiceStatus(invoice.status)
            ).value,
        )
    )
    return (await session.execute(sa.select(invoices).where(invoices.c.id == invoice.id))).one()


async def flag_overdue(
    session: AsyncSession, *, alliance: uuid.UUID, as_of: date
) -> list[sa.Row[Any]]:
    """Open invoices whose due date has passed (due date 以前 not counted: overdue from the day
    after) become overdue, each published once for a reminder notice."""
    rows = (
        await session.execute(
            sa.update(invoices)
            .where(
                invoices.c.alliance_id == alliance,
                invoices.c.status == InvoiceStatus.OPEN.value,
                invoices.c.due_on < as_of,
            )
            .values(status=InvoiceStatus.OVERDUE.value, overdue_since=as_of)
            .returning(*invoices.c)
        )
    ).all()
    for row in rows:
        await record_event(
            session,
            outbox,
            _invoice_event(
                InvoiceOverdue,
                row,
                outstanding=str(from_minor(row.amount_minor - row.paid_minor, row.currency)),
            ),
            source=SOURCE,
            subject=row.id,
            alliance_id=alliance,
        )
    return list(rows)


async def invoices_of(session: AsyncSession, alliance: uuid.UUID, year: int) -> list[sa.Row[Any]]:
    return list(
        (
            await session.execute(
                sa.select(invoices)
                .where(invoices.c.alliance_id == alliance, invoices.c.fiscal_year == year)
                .order_by(invoices.c.issued_on, invoices.c.id)
            )
        ).all()
    )


async def invoice_by_id(session: AsyncSession, invoice_id: uuid.UUID) -> sa.Row[Any] | None:
    return (await session.execute(sa.select(invoices).where(invoices.c.id == invoice_id))).first()
