"""Everyday entries, built for the clerk: income by source (China-ASEAN Art.24), spending by
use (Art.25), transfers between funds. Each becomes one balanced entry through
:func:`finance.ledger.post_entry` (the only writer of the books)."""

from __future__ import annotations

import uuid
from datetime import date

from finance.chart import BANK, EXPENSE_ACCOUNT, INCOME_ACCOUNT, TRANSFERS
from finance.kinds import EntryKind, ExpenseUse, IncomeSource, Side
from finance.ledger import Line, Posted, post_entry
from finance.money import Currency
from servicekit.errors import DomainError


async def record_income(
    session,
    *,
    alliance: uuid.UUID,
    posted_by: str,
    source: IncomeSource,
    fund: str,
    minor: int,
    currency: Currency,
    on: date,
    payer: str,
    memo: str,
    idempotency_key: str | None = None,
    working_group: uuid.UUID | None = None,
) -> Posted:
    """Money received into a fund: debit the bank, credit the income account of its source."""
    if not payer.strip():
        raise DomainError("say who paid (the source of the income, Art.24)", field="payer")
    return await post_entry(
        session,
        alliance=alliance,
        posted_by=posted_by,
        entry_date=on,
        currency=currency,
        kind=EntryKind.INCOME,
        memo=f"{memo} — {payer}",
        lines=[
            Line(BANK, fund, Side.DEBIT, minor),
            Line(INCOME_ACCOUNT[source], fund, Side.CREDIT, minor),
        ],
        idempotency_key=idempotency_key,
        working_group=working_group,
    )


async def record_expense(
    session,
    *,
    alliance: uuid.UUID,
    posted_by: str,
    use: ExpenseUse,
    fund: str,
    minor: int,
    currency: Currency,
    on: date,
    payee: str,
    memo: str,
    idempotency_key: str | None = None,
    working_group: uuid.UUID | None = None,
) -> Posted:
    """Money paid out of a fund for a use: debit the expense account of the use, credit the
    bank. An earmarked fund pays only for its purposes and never goes below zero."""
    if not payee.strip():
        raise DomainError("say who was paid", field="payee")
    return await post_entry(
        session,
        alliance=alliance,
        posted_by=posted_by,
        entry_date=on,
        currency=currency,
        kind=EntryKind.EXPENSE,
        memo=f"{memo} — {payee}",
        lines=[
            Line(EXPENSE_ACCOUNT[use], fund, Side.DEBIT, minor),
            Line(BANK, fund, Side.CREDIT, minor),
        ],
        idempotency_key=idempotency_key,
        working_group=working_group,
    )


async def transfer(
    session,
    *,
    alliance: uuid.UUID,
    posted_by: str,
    from_fund: str,
    to_fund: str,
    minor: int,
    currency: Currency,
    on: date,
    memo: str,
    idempotency_key: str | None = None,
) -> Posted:
    """Money moved between funds; each fund's side balances on its own (专账管理):
    the giving fund debits transfers and credits the bank, the receiving one the reverse."""
    if from_fund == to_fund:
        raise DomainError("a transfer goes between two different funds", field="toFund")
    return await post_entry(
        session,
        alliance=alliance,
        posted_by=posted_by,
        entry_date=on,
        currency=currency,
        kind=EntryKind.TRANSFER,
        memo=memo,
        lines=[
            Line(TRANSFERS, from_fund, Side.DEBIT, minor),
            Line(BANK, from_fund, Side.CREDIT, minor),
            Line(BANK, to_fund, Side.DEBIT, minor),
            Line(TRANSFERS, to_fund, Side.CREDIT, minor),
        ],
        idempotency_key=idempotency_key,
    )
