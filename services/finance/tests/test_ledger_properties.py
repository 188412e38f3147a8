"""Random sequences of postings, reversals and transfers against the real database, checked
by an independent oracle: every entry balances, the trial balance sums to zero per alliance,
currency and fund, no earmarked fund goes negative, and exactly the operations the oracle
expects are accepted. And fifty clients spending from one earmarked fund at once never
overdraw it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devkit.local.provision import ServiceDatabase
from finance import ledger, operations
from finance.alliances import open_books
from finance.funds import create_fund
from finance.kinds import ExpenseUse, FundSource, IncomeSource
from finance.money import Currency
from servicekit.db import Database
from servicekit.errors import DomainError
from servicekit.tenancy import TenantScope

YEAR = 2026
ON = date(YEAR, 6, 1)
FUNDS = ("general", "grant", "gift")
PURPOSE = {"grant": ExpenseUse.TECHNOLOGY_RESEARCH, "gift": ExpenseUse.ACTIVITIES}


@pytest.fixture(scope="module")
async def database(finance_db: ServiceDatabase) -> AsyncIterator[Database]:
    db = Database(finance_db.app_url, pool_size=25)
    yield db
    await db.dispose()


async def _new_books(db: Database) -> uuid.UUID:
    alliance = uuid.uuid4()
    async with db.transaction(TenantScope.of(alliance)) as session:
        await open_books(session, alliance, f"p-{alliance.hex[:12]}", YEAR)
        await create_fund(
            session,
            alliance=alliance,
            code="grant",
            name_zh="专项",
            name_en="Grant",
            source=FundSource.GOVERNMENT_GRANT,
            purposes=[PURPOSE["grant"]],
            currency=Currency.CNY,
            rules="专项资金管理办法",
        )
        await create_fund(
            session,
            alliance=alliance,
            code="gift",
            name_zh="捐赠",
            name_en="Gift",
            source=FundSource.DONATION,
            purposes=[PURPOSE["gift"]],
            currency=Currency.CNY,
        )
    return alliance


@dataclass
class Oracle:
    """What the books must hold, computed without the database: money held per fund."""

    held: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FUNDS, 0))
    entries: list[dict[str, int]] = field(default_factory=list)  # fund -> change of money held
    reversed: set[int] = field(default_factory=set)

    def accepts(self, change: dict[str, int]) -> bool:
        return all(f == "general" or self.held[f] + d >= 0 for f, d in change.items())

    def apply(self, change: dict[str, int]) -> None:
        for f, d in change.items():
            self.held[f] += d


ops = st.lists(
    st.one_of(
        st.tuples(st.just("income"), st.sampled_from(FUNDS), st.integers(1, 5_000)),
        st.tuples(
            st.just("expense"),
            st.sampled_from(FUNDS),
            st.integers(1, 5_000),
            st.sampled_from([ExpenseUse.TECHNOLOGY_RESEARCH, ExpenseUse.ACTIVITIES]),
        ),
        st.tuples(
            st.just("transfer"),
            st.sampled_from(FUNDS),
            st.sampled_from(FUNDS),
            st.integers(1, 5_000),
        ),
        st.tuples(st.just("reverse"), st.integers(0, 30)),
    ),
    min_size=1,
    max_size=14,
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sequence=ops)
async def test_random_postings_reversals_and_transfers_keep_every_invariant(
    database: Database, sequence: list[tuple[object, ...]]
) -> None:
    alliance = await _new_books(database)
    oracle = Oracle()
    posted: list[uuid.UUID] = []
    for op in sequence:
        kind = op[0]
        change: dict[str, int] = {}
        expect = True
        if kind == "income":
            _, fund, minor = op
            change = {str(fund): int(minor)}  # type: ignore[call-overload]
        elif kind == "expense":
            _, fund, minor, use = op
            change = {str(fund): -int(minor)}  # type: ignore[call-overload]
            expect = fund == "general" or PURPOSE[str(fund)] == use
        elif kind == "transfer":
            _, src, dst, minor = op
            change = {str(src): -int(minor), str(dst): int(minor)}  # type: ignore[call-overload]
            expect = src != dst
        else:
            index = int(op[1])  # type: ignore[call-overload]
            if index >= len(posted):
                continue
            change = {f: -d for f, d in oracle.entries[index].items()}
            expect = index not in oracle.reversed
        expect = expect and oracle.accepts(change)
        try:
            async with database.transaction(TenantScope.of(alliance)) as session:
                if kind == "income":
                    result = await operations.record_income(
                        session,
                        alliance=alliance,
                        posted_by="h",
                        source=IncomeSource.DONATIONS,
                        fund=str(op[1]),
                        minor=int(op[2]),
                        currency=Currency.CNY,
                        on=ON,  # type: ignore[call-overload]
                        payer="p",
                        memo="m",
                    )
                elif kind == "expense":
                    result = await operations.record_expense(
                        session,
                        alliance=alliance,
                        posted_by="h",
                        use=op[3],  # type: ignore[arg-type]
                        fund=str(op[1]),
                        minor=int(op[2]),
                        currency=Currency.CNY,
                        on=ON,  # type: ignore[call-overload]
                        payee="p",
                        memo="m",
                    )
                elif kind == "transfer":
                    result = await operations.transfer(
                        session,
                        alliance=alliance,
                        posted_by="h",
                        from_fund=str(op[1]),
                        to_fund=str(op[2]),
                        minor=int(op[3]),
                        currency=Currency.CNY,
                        on=ON,  # type: ignore[call-overload]
                        memo="m",
                    )
                else:
                    result = await ledger.reverse_entry(
                        session,
                        alliance=alliance,
                        posted_by="h",
                        entry_id=posted[int(op[1])],
                        entry_date=ON,
                        memo="r",
                    )  # type: ignore[call-overload]
            accepted = True
        except DomainError:
            accepted = False
        assert accepted == expect, (op, oracle.held)
        if accepted:
            oracle.apply(change)
            if kind == "reverse":
                oracle.reversed.add(int(op[1]))  # type: ignore[call-overload]
                oracle.entries.append(change)
                posted.append(result.entry.id)
            else:
                oracle.entries.append(change)
                posted.append(result.entry.id)

    async with database.transaction(TenantScope.of(alliance)) as session:
        net = sa.text(
            "SELECT p.entry_id, f.code, p.currency, "
            "sum(CASE WHEN p.side = 'debit' THEN p.amount_minor ELSE -p.amount_minor END) AS net "
            "FROM postings p JOIN funds f ON f.id = p.fund_id WHERE p.alliance_id = :a "
            "GROUP BY ROLLUP (f.code, p.currency, p.entry_id)"
        )
        assert all((r.net or 0) == 0 for r in (await session.execute(net, {"a": alliance})).all())
        funds = {
            r.code: r
            for r in (
                await session.execute(
                    sa.text(
                        "SELECT code, restriction, balance_minor FROM funds WHERE alliance_id = :a"
                    ),
                    {"a": alliance},
                )
            ).all()
        }
        held = {
            r.code: int(r.held)
            for r in (
                await session.execute(
                    sa.text(
                        "SELECT f.code, coalesce(sum(CASE WHEN p.side = 'debit' "
                        "THEN p.amount_minor ELSE -p.amount_minor END), 0) AS held "
                        "FROM funds f LEFT JOIN postings p ON p.fund_id = f.id "
                        "AND p.account_id IN (SELECT id FROM accounts WHERE kind = 'asset') "
                        "WHERE f.alliance_id = :a GROUP BY f.code"
                    ),
                    {"a": alliance},
                )
            ).all()
        }
    assert held == oracle.held
    assert {c: r.balance_minor for c, r in funds.items()} == oracle.held
    assert all(r.balance_minor >= 0 for r in funds.values() if r.restriction == "earmarked")


async def test_fifty_concurrent_spenders_never_overdraw_an_earmarked_fund(
    database: Database,
) -> None:
    alliance = await _new_books(database)
    async with database.transaction(TenantScope.of(alliance)) as session:
        await operations.record_income(
            session,
            alliance=alliance,
            posted_by="t",
            source=IncomeSource.GOVERNMENT_GRANTS,
            fund="grant",
            minor=100_000,
            currency=Currency.CNY,
            on=ON,
            payer="科技厅",
            memo="拨款",
        )

    async def spend(i: int) -> str:
        try:
            async with database.transaction(TenantScope.of(alliance)) as session:
                await operations.record_expense(
                    session,
                    alliance=alliance,
                    posted_by=f"c{i}",
                    use=ExpenseUse.TECHNOLOGY_RESEARCH,
                    fund="grant",
                    minor=3_000,
                    currency=Currency.CNY,
                    on=ON,
                    payee=f"p{i}",
                    memo="攻关",
                )
            return "ok"
        except DomainError as refused:
            return refused.code

    outcomes = await asyncio.gather(*(spend(i) for i in range(50)))
    assert outcomes.count("ok") == 33
    assert set(outcomes) == {"ok", "FUND_OVERDRAWN"}
    async with database.transaction(TenantScope.of(alliance)) as session:
        balance = await session.scalar(
            sa.text("SELECT balance_minor FROM funds WHERE alliance_id = :a AND code = 'grant'"),
            {"a": alliance},
        )
    assert balance == 100_000 - 33 * 3_000
