"""The books: each alliance's double-entry ledger on PostgreSQL. The one writer of journal
entries and postings.

Why a ledger of our own: the Python ledger libraries do not fit this service.
python-accounting 2.0 runs on a synchronous SQLAlchemy session, commits inside its own calls
(so an entry could not commit together with its outbox event and the request's other changes)
and has no reversal; beancount keeps the books in plain-text files; django-ledger needs
Django. The design follows TigerBeetle's invariants (ARCHITECTURE.md, "Ledgers"): entries are
immutable, a mistake is corrected by a reversing entry, at most one entry per idempotency key
and one reversal per entry, and a fund flag that keeps an earmarked fund from going below
zero; like pgledger, each fund keeps its balance and a version in its row.

Python checks everything first so a caller gets a typed error; PostgreSQL holds the same
invariants in the migration (``b7f3c1d2e4a5``) so that no code path can break them: the app
role cannot update or delete postings, a deferred constraint trigger checks at commit that
every entry balances per fund, a trigger refuses posting into a year that is not open, and the
funds' CHECK keeps earmarked balances at zero or above.

Money is integer minor units of one currency per entry (``finance.money``); every fund holds
one currency, so an entry in two currencies cannot be written.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from finance.kinds import AccountKind, EntryKind, ExpenseUse, Restriction, Side, YearStatus
from finance.models import accounts, fiscal_years, funds, journal_entries, postings
from finance.money import Currency
from servicekit.errors import Conflict, DomainError, NotFound


@dataclass(frozen=True)
class Line:
    """One side of an entry: an account, a fund, debit or credit, a positive amount."""

    account: str
    fund: str
    side: Side
    minor: int


@dataclass(frozen=True)
class Posted:
    entry: sa.Row[Any]
    replayed: bool
    """True when the idempotency key had been used: this is the first entry, nothing new."""


def _request_hash(
    entry_date: date,
    currency: Currency,
    memo: str,
    lines: Sequence[Line],
    reverses: uuid.UUID | None,
    working_group: uuid.UUID | None,
) -> str:
    body = json.dumps(
        [
            entry_date.isoformat(),
            currency.value,
            memo,
            sorted([ln.account, ln.fund, ln.side.value, ln.minor] for ln in lines),
            str(reverses),
            str(working_group),
        ],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def check_balanced(lines: Sequence[Line]) -> None:
    """At least two lines, each positive, and debits = credits within every fund."""
    if len(lines) < 2:
        raise DomainError(
            "a journal entry has at least two lines (a debit and a credit)",
            code="UNBALANCED_ENTRY",
        )
    net: dict[str, int] = defaultdict(int)
    for ln in lines:
        if ln.minor <= 0:
            raise DomainError(
                "every line's amount must be more than zero", code="BAD_AMOUNT", field="amount"
            )
        net[ln.fund] += ln.minor if ln.side is Side.DEBIT else -ln.minor
    unbalanced = {fund: n for fund, n in net.items() if n}
    if unbalanced:
        raise DomainError(
            "the entry does not balance: debits must equal credits in each fund "
            f"(debits − credits in minor units: {unbalanced})",
            code="UNBALANCED_ENTRY",
            funds=sorted(unbalanced),
        )


async def year_status(session: AsyncSession, alliance: uuid.UUID, year: int) -> YearStatus | None:
    status = await session.scalar(
        sa.select(fiscal_years.c.status).where(
            fiscal_years.c.alliance_id == alliance, fiscal_years.c.year == year
        )
    )
    return YearStatus(status) if status else None


def _refuse_year(year: int, status: YearStatus | None) -> None:
    if status is None:
        raise DomainError(
            f"fiscal year {year} is not open: open it before posting into it",
            code="YEAR_NOT_OPEN",
            fiscalYear=year,
        )
    if status is not YearStatus.OPEN:
        raise DomainError(
            f"fiscal year {year} is {status.value}: nothing can be posted into it "
            "(correct it by an entry in an open year)",
            code="YEAR_CLOSED",
            fiscalYear=year,
        )


async def _existing(session: AsyncSession, alliance: uuid.UUID, key: str) -> sa.Row[Any] | None:
    return (
        await session.execute(
            sa.select(journal_entries).where(
                journal_entries.c.alliance_id == alliance,
                journal_entries.c.idempotency_key == key,
            )
        )
    ).first()


def _replay(found: sa.Row[Any], request_hash: str, key: str) -> Posted:
    if found.request_hash != request_hash:
        raise Conflict(
            f"idempotency key {key!r} was used for a different entry",
            code="IDEMPOTENCY_KEY_REUSED",
        )
    return Posted(found, replayed=True)


DB_REFUSALS = {
    "P0001": ("ENTRY_IMMUTABLE", "posted entries are immutable"),
    "P0002": ("YEAR_CLOSED", "the fiscal year is not open"),
    "P0004": ("FUND_PURPOSE", "an earmarked fund pays only for its purposes"),
    "P0005": ("UNBALANCED_ENTRY", "the entry does not balance"),
    "23514": ("FUND_OVERDRAWN", "an earmarked fund cannot go below zero"),
    "23505": ("CONFLICT", "a concurrent change won"),
}


def refusal_from_database(exc: DBAPIError) -> DomainError:
    state = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    code, message = DB_REFUSALS.get(str(state), ("CONFLICT", "the change was refused"))
    return DomainError(f"{message} (refused by the database)", code=code)


async def post_entry(
    session: AsyncSession,
    *,
    alliance: uuid.UUID,
    posted_by: str,
    entry_date: date,
    currency: Currency,
    kind: EntryKind,
    memo: str,
    lines: Sequence[Line],
    idempotency_key: str | None = None,
    reverses: uuid.UUID | None = None,
    working_group: uuid.UUID | None = None,
) -> Posted:
    """Post one balanced entry, or refuse it with a typed error and write nothing."""
    request_hash = _request_hash(entry_date, currency, memo, lines, reverses, working_group)
    if idempotency_key is not None:
        if not 1 <= len(idempotency_key) <= 200:
            raise DomainError("an idempotency key has 1 to 200 characters", field="idempotencyKey")
        found = await _existing(session, alliance, idempotency_key)
        if found is not None:
            return _replay(found, request_hash, idempotency_key)
    if not memo.strip():
        raise DomainError("an entry says what it is for (memo)", field="memo")
    check_balanced(lines)

    account_rows = {
        r.code: r
        for r in (
            await session.execute(
                sa.select(accounts).where(
                    accounts.c.alliance_id == alliance,
                    accounts.c.code.in_({ln.account for ln in lines}),
                )
            )
        ).all()
    }
    fund_rows = {
        r.code: r
        for r in (
            await session.execute(
                sa.select(funds)
                .where(funds.c.alliance_id == alliance, funds.c.code.in_({ln.fund for ln in lines}))
                .order_by(funds.c.id)
                .with_for_update()  # in id order: concurrent entries over two funds never deadlock
            )
        ).all()
    }
    for ln in lines:
        if ln.account not in account_rows:
            raise NotFound(f"there is no account {ln.account!r} in this alliance's books")
        if ln.fund not in fund_rows:
            raise NotFound(f"there is no fund {ln.fund!r} in this alliance's books")
    other = sorted({fund_rows[ln.fund].currency for ln in lines} - {currency.value})
    if other:
        raise DomainError(
            f"an entry is in one currency ({currency}); the funds named hold {', '.join(other)} "
            "(there is no conversion)",
            code="CURRENCY_MISMATCH",
        )

    year = entry_date.year
    status = await session.scalar(
        sa.select(fiscal_years.c.status)
        .where(fiscal_years.c.alliance_id == alliance, fiscal_years.c.year == year)
        .with_for_update(read=True)  # closing the year waits for this entry, or refuses it
    )
    _refuse_year(year, YearStatus(status) if status else None)

    delta: dict[str, int] = defaultdict(int)
    for ln in lines:
        account = account_rows[ln.account]
        fund = fund_rows[ln.fund]
        if (
            fund.restriction == Restriction.EARMARKED
            and account.kind == AccountKind.EXPENSE
            and ln.side is Side.DEBIT
            and account.expense_use not in fund.purposes
        ):
            purposes = ", ".join(ExpenseUse(p).value for p in fund.purposes)
            raise DomainError(
                f"earmarked fund {fund.code} pays only for {purposes} (China-ASEAN Art.27 "
                f"专款专用); account {account.code} {account.name_en} is "
                f"{account.expense_use}",
                code="FUND_PURPOSE",
                fund=fund.code,
            )
        if account.kind in (AccountKind.ASSET, AccountKind.LIABILITY):
            delta[ln.fund] += ln.minor if ln.side is Side.DEBIT else -ln.minor
    for code, change in delta.items():
        fund = fund_rows[code]
        if fund.restriction == Restriction.EARMARKED and fund.balance_minor + change < 0:
            raise DomainError(
                f"earmarked fund {fund.code} holds {fund.balance_minor} minor units of "
                f"{fund.currency}; this entry would take it to {fund.balance_minor + change} "
                "(an earmarked fund never goes below zero)",
                code="FUND_OVERDRAWN",
                fund=fund.code,
            )

    entry_id = uuid.uuid4()
    values = {
        "id": entry_id,
        "alliance_id": alliance,
        "fiscal_year": year,
        "entry_date": entry_date,
        "currency": currency.value,
        "kind": kind.value,
        "memo": memo,
        "idempotency_key": idempotency_key,
        "request_hash": request_hash,
        "reverses_id": reverses,
        "working_group_id": working_group,
        "posted_by": posted_by,
    }
    try:
        if idempotency_key is not None:
            inserted = await session.scalar(
                insert(journal_entries)
                .values(**values)
                .on_conflict_do_nothing(index_elements=["alliance_id", "idempotency_key"])
                .returning(journal_entries.c.id)
            )
            if inserted is None:  # a concurrent request with the same key committed first
                found = await _existing(session, alliance, idempotency_key)
                assert found is not None
                return _replay(found, request_hash, idempotency_key)
        else:
            await session.execute(sa.insert(journal_entries).values(**values))
        await session.execute(
            sa.insert(postings).values(
                [
                    {
                        "entry_id": entry_id,
                        "alliance_id": alliance,
                        "account_id": account_rows[ln.account].id,
                        "fund_id": fund_rows[ln.fund].id,
                        "currency": currency.value,
                        "side": ln.side.value,
                        "amount_minor": ln.minor,
                    }
                    for ln in lines
                ]
            )
        )
    except DBAPIError as exc:
        if reverses is not None and "uq_journal_entries_reverses_id" in str(exc.orig):
            raise DomainError(
                "this entry has been reversed already", code="ALREADY_REVERSED"
            ) from None
        raise refusal_from_database(exc) from None
    row = (
        await session.execute(sa.select(journal_entries).where(journal_entries.c.id == entry_id))
    ).one()
    return Posted(row, replayed=False)


async def lines_of(
    session: AsyncSession, entry_ids: Sequence[uuid.UUID]
) -> list[list[sa.Row[Any]]]:
    rows = (
        await session.execute(
            sa.select(
                postings.c.entry_id,
                postings.c.side,
                postings.c.amount_minor,
                postings.c.currency,
                accounts.c.code.label("account"),
                accounts.c.name_zh.label("account_name_zh"),
                accounts.c.name_en.label("account_name_en"),
                funds.c.code.label("fund"),
            )
            .join(accounts, accounts.c.id == postings.c.account_id)
            .join(funds, funds.c.id == postings.c.fund_id)
            .where(postings.c.entry_id.in_(entry_ids))
            .order_by(postings.c.id)
        )
    ).all()
    by_entry: dict[uuid.UUID, list[sa.Row[Any]]] = defaultdict(list)
    for r in rows:
        by_entry[r.entry_id].append(r)
    return [by_entry.get(i, []) for i in entry_ids]


async def reverse_entry(
    session: AsyncSession,
    *,
    alliance: uuid.UUID,
    posted_by: str,
    entry_id: uuid.UUID,
    entry_date: date,
    memo: str,
    idempotency_key: str | None = None,
) -> Posted:
    """Correct a posted entry by its mirror image (debits and credits swapped), at most once."""
    original = (
        await session.execute(
            sa.select(journal_entries).where(
                journal_entries.c.id == entry_id, journal_entries.c.alliance_id == alliance
            )
        )
    ).first()
    if original is None:
        raise NotFound("there is no such entry in this alliance's books")
    if idempotency_key is not None:
        found = await _existing(session, alliance, idempotency_key)
        if found is not None and found.reverses_id == entry_id:
            return Posted(found, replayed=True)
    already = await session.scalar(
        sa.select(journal_entries.c.id).where(journal_entries.c.reverses_id == entry_id)
    )
    if already is not None:
        raise DomainError(
            f"entry {entry_id} was reversed already by entry {already}; an entry is reversed at "
            "most once",
            code="ALREADY_REVERSED",
            reversal=str(already),
        )
    (original_lines,) = await lines_of(session, [entry_id])
    mirrored = [
        Line(
            account=ln.account,
            fund=ln.fund,
            side=Side.CREDIT if ln.side == Side.DEBIT else Side.DEBIT,
            minor=ln.amount_minor,
        )
        for ln in original_lines
    ]
    return await post_entry(
        session,
        alliance=alliance,
        posted_by=posted_by,
        entry_date=entry_date,
        currency=Currency(original.currency),
        kind=EntryKind.REVERSAL,
        memo=memo,
        lines=mirrored,
        idempotency_key=idempotency_key,
        reverses=entry_id,
        working_group=original.working_group_id,
    )


async def entries_by_id(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[sa.Row[Any] | None]:
    rows = (
        await session.execute(sa.select(journal_entries).where(journal_entries.c.id.in_(ids)))
    ).all()
    found = {r.id: r for r in rows}
    return [found.get(i) for i in ids]


async def reversals_of(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[uuid.UUID | None]:
    rows = (
        await session.execute(
            sa.select(journal_entries.c.reverses_id, journal_entries.c.id).where(
                journal_entries.c.reverses_id.in_(ids)
            )
        )
    ).all()
    found = {r.reverses_id: r.id for r in rows}
    return [found.get(i) for i in ids]


async def entries_of(
    session: AsyncSession, alliance: uuid.UUID, year: int, *, limit: int, after: int | None
) -> list[sa.Row[Any]]:
    """An alliance's entries of a year, oldest first (keyset on created_at, id)."""
    query = (
        sa.select(journal_entries)
        .where(journal_entries.c.alliance_id == alliance, journal_entries.c.fiscal_year == year)
        .order_by(journal_entries.c.created_at, journal_entries.c.id)
        .limit(limit)
    )
    if after is not None:
        query = query.offset(after)
    return list((await session.execute(query)).all())


async def accounts_of(session: AsyncSession, alliance: uuid.UUID) -> list[sa.Row[Any]]:
    """The alliance's chart of accounts, by code."""
    return list(
        (
            await session.execute(
                sa.select(accounts)
                .where(accounts.c.alliance_id == alliance)
                .order_by(accounts.c.code)
            )
        ).all()
    )
