"""The books in the API: accounts, funds, fiscal years, journal entries; their mutations."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import strawberry

from finance import funds as fund_book
from finance import ledger, operations, years
from finance.access import keeper_of
from finance.graphql.money import Currency, Money, minor_of
from finance.kinds import EntryKind as EntryKindEnum
from finance.kinds import ExpenseUse as ExpenseUseEnum
from finance.kinds import FundSource as FundSourceEnum
from finance.kinds import IncomeSource as IncomeSourceEnum
from finance.kinds import Side as SideEnum
from finance.kinds import YearStatus as YearStatusEnum
from finance.money import Currency as CurrencyEnum
from servicekit.graphql import Info
from servicekit.graphql.ids import parse_id

Side = strawberry.enum(SideEnum)
EntryKind = strawberry.enum(EntryKindEnum)
IncomeSource = strawberry.enum(IncomeSourceEnum, description="China-ASEAN Art.24")
ExpenseUse = strawberry.enum(ExpenseUseEnum, description="China-ASEAN Art.25")
FundSource = strawberry.enum(FundSourceEnum, description="China-ASEAN Art.24, Art.26")
YearStatus = strawberry.enum(YearStatusEnum)


@strawberry.type
class Account:
    code: str
    kind: str
    name_zh: str
    name_en: str
    income_source: str | None
    expense_use: str | None
    source: str

    @classmethod
    def of(cls, r: Any) -> Account:
        return cls(
            code=r.code,
            kind=r.kind,
            name_zh=r.name_zh,
            name_en=r.name_en,
            income_source=r.income_source,
            expense_use=r.expense_use,
            source=r.source,
        )


@strawberry.type
class FundShare:
    party: str
    share: Decimal


@strawberry.type(description="A fund: unrestricted, or earmarked (专款专用) with its own ledger.")
class Fund:
    id: strawberry.ID
    code: str
    name_zh: str
    name_en: str
    restriction: str
    source: str
    purposes: list[str]
    purpose_text: str | None
    rules: str | None
    shares: list[FundShare]
    balance: Money
    version: int

    @classmethod
    def of(cls, r: Any) -> Fund:
        return cls(
            id=strawberry.ID(str(r.id)),
            code=r.code,
            name_zh=r.name_zh,
            name_en=r.name_en,
            restriction=r.restriction,
            source=r.source,
            purposes=list(r.purposes),
            purpose_text=r.purpose_text,
            rules=r.rules,
            shares=[FundShare(party=s["party"], share=Decimal(s["share"])) for s in r.shares],
            balance=Money.of(r.balance_minor, r.currency),
            version=r.version,
        )


@strawberry.type
class FiscalYear:
    year: int
    status: YearStatus  # type: ignore[valid-type]
    closed_at: datetime | None
    audited_at: datetime | None

    @classmethod
    def of(cls, r: Any) -> FiscalYear:
        return cls(
            year=r.year,
            status=YearStatusEnum(r.status),
            closed_at=r.closed_at,
            audited_at=r.audited_at,
        )


@strawberry.type
class EntryLine:
    account: str
    account_name_zh: str
    account_name_en: str
    fund: str
    side: Side  # type: ignore[valid-type]
    amount: Money


@strawberry.type(description="A posted journal entry: immutable; corrected by a reversal.")
class JournalEntry:
    id: strawberry.ID
    fiscal_year: int
    date: date
    currency: Currency  # type: ignore[valid-type]
    kind: EntryKind  # type: ignore[valid-type]
    memo: str
    idempotency_key: str | None
    reverses: strawberry.ID | None
    working_group_id: strawberry.ID | None
    posted_by: str
    created_at: datetime
    replayed: bool = strawberry.field(
        default=False,
        description="True in a mutation's answer when the idempotency key had been used: "
        "this is the first entry, and nothing new was posted.",
    )

    @classmethod
    def of(cls, r: Any, replayed: bool = False) -> JournalEntry:
        return cls(
            id=strawberry.ID(str(r.id)),
            fiscal_year=r.fiscal_year,
            date=r.entry_date,
            currency=CurrencyEnum(r.currency),
            kind=EntryKindEnum(r.kind),
            memo=r.memo,
            idempotency_key=r.idempotency_key,
            reverses=strawberry.ID(str(r.reverses_id)) if r.reverses_id else None,
            working_group_id=strawberry.ID(str(r.working_group_id)) if r.working_group_id else None,
            posted_by=r.posted_by,
            created_at=r.created_at,
            replayed=replayed,
        )

    @strawberry.field
    async def lines(self, info: Info) -> list[EntryLine]:
        async def load(ids: Sequence[uuid.UUID]) -> list[list[Any]]:
            async with info.context.tx.use() as session:
                return await ledger.lines_of(session, ids)

        rows = await info.context.loader(load, key="entry_lines").load(parse_id(self.id))
        return [
            EntryLine(
                account=r.account,
                account_name_zh=r.account_name_zh,
                account_name_en=r.account_name_en,
                fund=r.fund,
                side=SideEnum(r.side),
                amount=Money.of(r.amount_minor, r.currency),
            )
            for r in rows
        ]

    @strawberry.field(description="The entry that reversed this one, if any (at most one).")
    async def reversed_by(self, info: Info) -> strawberry.ID | None:
        async def load(ids: Sequence[uuid.UUID]) -> list[uuid.UUID | None]:
            async with info.context.tx.use() as session:
                return await ledger.reversals_of(session, ids)

        found = await info.context.loader(load, key="reversals").load(parse_id(self.id))
        return strawberry.ID(str(found)) if found else None


@strawberry.input
class EntryLineInput:
    account: str = strawberry.field(description="Account code, e.g. 1002")
    fund: str = strawberry.field(default="general", description="Fund code")
    side: Side  # type: ignore[valid-type]
    amount: Decimal


@strawberry.input
class PostEntryInput:
    alliance: str
    date: date
    currency: Currency = CurrencyEnum.CNY  # type: ignore[valid-type]
    memo: str
    lines: list[EntryLineInput]
    idempotency_key: str | None = None
    working_group_id: strawberry.ID | None = None


@strawberry.input
class IncomeInput:
    alliance: str
    source: IncomeSource  # type: ignore[valid-type]
    amount: Decimal
    currency: Currency = CurrencyEnum.CNY  # type: ignore[valid-type]
    fund: str = "general"
    date: date
    payer: str
    memo: str
    idempotency_key: str | None = None
    working_group_id: strawberry.ID | None = None


@strawberry.input
class ExpenseInput:
    alliance: str
    use: ExpenseUse  # type: ignore[valid-type]
    amount: Decimal
    currency: Currency = CurrencyEnum.CNY  # type: ignore[valid-type]
    fund: str = "general"
    date: date
    payee: str
    memo: str
    idempotency_key: str | None = None
    working_group_id: strawberry.ID | None = None


@strawberry.input
class TransferInput:
    alliance: str
    from_fund: str
    to_fund: str
    amount: Decimal
    currency: Currency = CurrencyEnum.CNY  # type: ignore[valid-type]
    date: date
    memo: str
    idempotency_key: str | None = None


@strawberry.input
class FundShareInput:
    party: str
    share: Decimal


@strawberry.input
class CreateFundInput:
    alliance: str
    code: str
    name_zh: str
    name_en: str
    source: FundSource  # type: ignore[valid-type]
    purposes: list[ExpenseUse] = strawberry.field(default_factory=list)  # type: ignore[valid-type]
    currency: Currency = CurrencyEnum.CNY  # type: ignore[valid-type]
    purpose_text: str | None = None
    rules: str | None = None
    shares: list[FundShareInput] = strawberry.field(default_factory=list)


def _wg(value: strawberry.ID | None) -> uuid.UUID | None:
    return parse_id(value) if value else None


@strawberry.type
class BooksMutation:
    @strawberry.mutation(description="Open a fiscal year (the calendar year) for posting.")
    async def open_fiscal_year(self, info: Info, alliance: str, fiscal_year: int) -> FiscalYear:
        async with info.context.tx.use() as session:
            ref = await keeper_of(session, info.context.principal, alliance)
            return FiscalYear.of(await years.open_year(session, ref.id, fiscal_year))

    @strawberry.mutation(description="Close a fiscal year: nothing more is posted into it.")
    async def close_fiscal_year(self, info: Info, alliance: str, fiscal_year: int) -> FiscalYear:
        async with info.context.tx.use() as session:
            ref = await keeper_of(session, info.context.principal, alliance)
            row = await years.close_year(
                session, ref.id, fiscal_year, info.context.principal.user_id
            )
            return FiscalYear.of(row)

    @strawberry.mutation(description="Open a fund (earmarked funds name their purposes).")
    async def create_fund(self, info: Info, input: CreateFundInput) -> Fund:
        async with info.context.tx.use() as session:
            ref = await keeper_of(session, info.context.principal, input.alliance)
            row = await fund_book.create_fund(
                session,
                alliance=ref.id,
                code=input.code,
                name_zh=input.name_zh,
                name_en=input.name_en,
                source=FundSourceEnum(input.source),
                purposes=[ExpenseUseEnum(p) for p in input.purposes],
                currency=CurrencyEnum(input.currency),
                purpose_text=input.purpose_text,
                rules=input.rules,
                shares=[fund_book.Share(s.party, s.share) for s in input.shares],
            )
            return Fund.of(row)

    @strawberry.mutation(description="Post a balanced journal entry (one currency).")
    async def post_entry(self, info: Info, input: PostEntryInput) -> JournalEntry:
        currency = CurrencyEnum(input.currency)
        lines = [
            ledger.Line(
                ln.account,
                ln.fund,
                SideEnum(ln.side),
                minor_of(ln.amount, currency, "lines.amount"),
            )
            for ln in input.lines
        ]
        async with info.context.tx.use() as session:
            ref = await keeper_of(session, info.context.principal, input.alliance)
            posted = await ledger.post_entry(
                session,
                alliance=ref.id,
                posted_by=info.context.principal.user_id,
                entry_date=input.date,
                currency=currency,
                kind=EntryKindEnum.MANUAL,
                memo=input.memo,
                lines=lines,
                idempotency_key=input.idempotency_key,
                working_group=_wg(input.working_group_id),
            )
            return JournalEntry.of(posted.entry, posted.replayed)

    @strawberry.mutation(description="Correct an entry by its mirror image (at most once).")
    async def reverse_entry(
        self,
        info: Info,
        alliance: str,
        entry_id: strawberry.ID,
        date: date,
        memo: str,
        idempotency_key: str | None = None,
    ) -> JournalEntry:
        async with info.context.tx.use() as session:
            ref = await keeper_of(session, info.context.principal, alliance)
            posted = await ledger.reverse_entry(
                session,
                alliance=ref.id,
                posted_by=info.context.principal.user_id,
                entry_id=parse_id(entry_id),
                entry_date=date,
                memo=memo,
                idempotency_key=idempotency_key,
            )
            return JournalEntry.of(posted.entry, posted.replayed)

    @strawberry.mutation(description="Record income by its source (China-ASEAN Art.24).")
    async def record_income(self, info: Info, input: IncomeInput) -> JournalEntry:
        currency = CurrencyEnum(input.currency)
        minor = minor_of(input.amount, currency)
        async with info.context.tx.use() as session:
            ref = await keeper_of(session, info.context.principal, input.alliance)
            posted = await operations.record_income(
                session,
                alliance=ref.id,
                posted_by=info.context.principal.user_id,
                source=IncomeSourceEnum(input.source),
                fund=input.fund,
                minor=minor,
                currency=currency,
                on=input.date,
                payer=input.payer,
                memo=input.memo,
                idempotency_key=input.idempotency_key,
                working_group=_wg(input.working_group_id),
            )
            return JournalEntry.of(posted.entry, posted.replayed)

    @strawberry.mutation(description="Record spending by its use (China-ASEAN Art.25).")
    async def record_expense(self, info: Info, input: ExpenseInput) -> JournalEntry:
        currency = CurrencyEnum(input.currency)
        minor = minor_of(input.amount, currency)
        async with info.context.tx.use() as session:
            ref = await keeper_of(session, info.context.principal, input.alliance)
            posted = await operations.record_expense(
                session,
                alliance=ref.id,
                posted_by=info.context.principal.user_id,
                use=ExpenseUseEnum(input.use),
                fund=input.fund,
                minor=minor,
                currency=currency,
                on=input.date,
                payee=input.payee,
                memo=input.memo,
                idempotency_key=input.idempotency_key,
                working_group=_wg(input.working_group_id),
            )
            return JournalEntry.of(posted.entry, posted.replayed)

    @strawberry.mutation(description="Move money between two funds of one currency.")
    async def transfer_between_funds(self, info: Info, input: TransferInput) -> JournalEntry:
        currency = CurrencyEnum(input.currency)
        minor = minor_of(input.amount, currency)
        async with info.context.tx.use() as session:
            ref = await keeper_of(session, info.context.principal, input.alliance)
            posted = await operations.transfer(
                session,
                alliance=ref.id,
                posted_by=info.context.principal.user_id,
                from_fund=input.from_fund,
                to_fund=input.to_fund,
                minor=minor,
                currency=currency,
                on=input.date,
                memo=input.memo,
                idempotency_key=input.idempotency_key,
            )
            return JournalEntry.of(posted.entry, posted.replayed)


async def entries_page(
    info: Info, alliance: uuid.UUID, year: int, first: int
) -> list[JournalEntry]:
    async with info.context.tx.use() as session:
        rows = await ledger.entries_of(
            session, alliance, year, limit=min(max(first, 1), 500), after=None
        )
    return [JournalEntry.of(r) for r in rows]


async def accounts_of(info: Info, alliance: uuid.UUID) -> list[Account]:
    async with info.context.tx.use() as session:
        rows = await ledger.accounts_of(session, alliance)
    return [Account.of(r) for r in rows]
