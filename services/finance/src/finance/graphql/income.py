"""Fees, invoices and payments in the API."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import strawberry

from finance import income
from finance.access import keeper_of
from finance.graphql.money import Currency, Money, minor_of
from finance.money import Currency as CurrencyEnum
from servicekit.graphql import Info
from servicekit.graphql.ids import parse_id


@strawberry.type
class FeeSchedule:
    fiscal_year: int
    tier: str
    fee: Money
    decided_by: str

    @classmethod
    def of(cls, r: Any) -> FeeSchedule:
        return cls(
            fiscal_year=r.fiscal_year,
            tier=r.tier,
            fee=Money.of(r.amount_minor, r.currency),
            decided_by=r.decided_by,
        )


@strawberry.type
class Invoice:
    id: strawberry.ID
    membership_id: strawberry.ID
    organization_id: strawberry.ID
    fiscal_year: int
    tier: str
    amount: Money
    paid: Money
    outstanding: Money
    issued_on: date
    due_on: date
    status: str
    entry_id: strawberry.ID

    @classmethod
    def of(cls, r: Any) -> Invoice:
        return cls(
            id=strawberry.ID(str(r.id)),
            membership_id=strawberry.ID(str(r.membership_id)),
            organization_id=strawberry.ID(str(r.organization_id)),
            fiscal_year=r.fiscal_year,
            tier=r.tier,
            amount=Money.of(r.amount_minor, r.currency),
            paid=Money.of(r.paid_minor, r.currency),
            outstanding=Money.of(r.amount_minor - r.paid_minor, r.currency),
            issued_on=r.issued_on,
            due_on=r.due_on,
            status=r.status,
            entry_id=strawberry.ID(str(r.entry_id)),
        )


@strawberry.type
class IncomeMutation:
    @strawberry.mutation(description="Set a tier's membership fee for a year, citing the decision.")
    async def set_membership_fee(
        self,
        info: Info,
        alliance: str,
        fiscal_year: int,
        tier: str,
        amount: Decimal,
        decided_by: str,
        currency: Currency = CurrencyEnum.CNY,  # type: ignore[valid-type]
    ) -> FeeSchedule:
        code = CurrencyEnum(currency)
        async with info.context.tx.use() as session:
            ref = await keeper_of(session, info.context.principal, alliance)
            row = await income.set_fee(
                session,
                alliance=ref.id,
                year=fiscal_year,
                tier=tier,
                minor=minor_of(amount, code),
                currency=code,
                decided_by=decided_by,
            )
        return FeeSchedule.of(row)

    @strawberry.mutation(description="Invoice every active member for a year (once each).")
    async def issue_annual_invoices(
        self, info: Info, alliance: str, fiscal_year: int, issued_on: date
    ) -> list[Invoice]:
        async with info.context.tx.use() as session:
            ref = await keeper_of(session, info.context.principal, alliance)
            rows = await income.issue_annual(
                session,
                alliance=ref.id,
                year=fiscal_year,
                issued_on=issued_on,
                posted_by=info.context.principal.user_id,
            )
        return [Invoice.of(r) for r in rows]

    @strawberry.mutation(description="Record a payment against an invoice.")
    async def record_payment(
        self,
        info: Info,
        alliance: str,
        invoice_id: strawberry.ID,
        amount: Decimal,
        paid_on: date,
        idempotency_key: str | None = None,
    ) -> Invoice:
        async with info.context.tx.use() as session:
            ref = await keeper_of(session, info.context.principal, alliance)
            found = await income.invoice_by_id(session, parse_id(invoice_id))
            currency = CurrencyEnum(found.currency) if found else CurrencyEnum.CNY
            row = await income.record_payment(
                session,
                alliance=ref.id,
                invoice_id=parse_id(invoice_id),
                minor=minor_of(amount, currency),
                paid_on=paid_on,
                posted_by=info.context.principal.user_id,
                idempotency_key=idempotency_key,
            )
        return Invoice.of(row)

    @strawberry.mutation(description="Mark invoices past due as overdue (each published once).")
    async def flag_overdue_invoices(self, info: Info, alliance: str, as_of: date) -> list[Invoice]:
        async with info.context.tx.use() as session:
            ref = await keeper_of(session, info.context.principal, alliance)
            rows = await income.flag_overdue(session, alliance=ref.id, as_of=as_of)
        return [Invoice.of(r) for r in rows]
