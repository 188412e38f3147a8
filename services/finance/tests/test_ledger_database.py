"""The ledger's invariants held by PostgreSQL itself, whatever code writes: the app role
cannot change or remove postings, an unbalanced entry fails at commit, an earmarked fund
cannot go below zero nor pay for another purpose, nothing goes into a closed year, an entry
is reversed at most once, and no budget is approved without a passed motion."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date

import asyncpg
import pytest

from devkit.local.provision import ServiceDatabase
from finance.alliances import open_books
from finance.funds import create_fund
from finance.kinds import EntryKind, ExpenseUse, FundSource, Side
from finance.ledger import Line, post_entry
from finance.money import Currency
from servicekit.db import Database
from servicekit.tenancy import TenantScope

YEAR = 2026


@pytest.fixture(scope="module")
async def books(finance_db: ServiceDatabase) -> AsyncIterator[tuple[Database, uuid.UUID]]:
    database = Database(finance_db.app_url, pool_size=4)
    alliance = uuid.uuid4()
    async with database.transaction(TenantScope.of(alliance)) as session:
        await open_books(session, alliance, f"db-{alliance.hex[:8]}", YEAR)
        await create_fund(
            session,
            alliance=alliance,
            code="grant",
            name_zh="科技专项",
            name_en="Grant",
            source=FundSource.GOVERNMENT_GRANT,
            purposes=[ExpenseUse.TECHNOLOGY_RESEARCH],
            currency=Currency.CNY,
            rules="国家科技计划经费管理办法",
        )
        await post_entry(
            session,
            alliance=alliance,
            posted_by="t",
            entry_date=date(YEAR, 3, 1),
            currency=Currency.CNY,
            kind=EntryKind.INCOME,
            memo="grant received",
            lines=[
                Line("1002", "grant", Side.DEBIT, 100_00),
                Line("4201", "grant", Side.CREDIT, 100_00),
            ],
        )
    yield database, alliance
    await database.dispose()


async def _app(finance_db: ServiceDatabase, alliance: uuid.UUID) -> asyncpg.Connection:
    conn = await asyncpg.connect(finance_db.app_dsn)
    await conn.execute("BEGIN")
    await conn.execute("SELECT set_config('app.alliance_ids', $1, true)", "{" + str(alliance) + "}")
    return conn


async def _refused(
    finance_db: ServiceDatabase,
    alliance: uuid.UUID,
    sql: str,
    *args: object,
    at_commit: bool = False,
) -> asyncpg.PostgresError:
    conn = await _app(finance_db, alliance)
    try:
        with pytest.raises(asyncpg.PostgresError) as caught:
            await conn.execute(sql, *args)
            if at_commit:
                await conn.execute("COMMIT")
        return caught.value
    finally:
        await conn.close()


async def test_the_app_role_cannot_update_or_delete_postings(
    finance_db: ServiceDatabase, books: tuple[Database, uuid.UUID]
) -> None:
    _, alliance = books
    for sql in (
        "UPDATE postings SET amount_minor = 1",
        "DELETE FROM postings",
        "UPDATE journal_entries SET memo = 'x'",
        "DELETE FROM journal_entries",
        "TRUNCATE postings",
        "UPDATE funds SET balance_minor = 10 ^ 9",
    ):
        error = await _refused(finance_db, alliance, sql)
        assert isinstance(error, asyncpg.InsufficientPrivilegeError), sql


async def test_even_the_owner_cannot_edit_a_posted_entry(
    finance_db: ServiceDatabase, books: tuple[Database, uuid.UUID]
) -> None:
    conn = await asyncpg.connect(finance_db.migration_dsn)
    try:
        await conn.execute("SELECT set_config('app.all_alliances', 'on', false)")
        with pytest.raises(asyncpg.PostgresError, match="immutable"):
            await conn.execute("UPDATE postings SET amount_minor = amount_minor + 1")
        with pytest.raises(asyncpg.PostgresError, match="immutable"):
            await conn.execute("DELETE FROM journal_entries")
    finally:
        await conn.close()


def _entry_sql(entry: uuid.UUID, year: int = YEAR) -> str:
    return (
        "INSERT INTO journal_entries (id, alliance_id, fiscal_year, entry_date, currency, kind, "
        f"memo, request_hash, posted_by) VALUES ('{entry}', $1, {year}, '{year}-05-01', 'CNY', "
        "'manual', 'raw', 'x', 'raw')"
    )


def _posting_sql(entry: uuid.UUID, account: str, fund: str, side: str, minor: int) -> str:
    return (
        "INSERT INTO postings (entry_id, alliance_id, account_id, fund_id, currency, side, "
        f"amount_minor) SELECT '{entry}', $1, a.id, f.id, 'CNY', '{side}', {minor} "
        f"FROM accounts a, funds f WHERE a.alliance_id = $1 AND a.code = '{account}' "
        f"AND f.alliance_id = $1 AND f.code = '{fund}'"
    )


async def test_an_unbalanced_entry_fails_at_commit_in_the_database(
    finance_db: ServiceDatabase, books: tuple[Database, uuid.UUID]
) -> None:
    _, alliance = books
    conn = await _app(finance_db, alliance)
    try:
        entry = uuid.uuid4()
        await conn.execute(_entry_sql(entry), alliance)
        await conn.execute(_posting_sql(entry, "1002", "general", "debit", 500), alliance)
        await conn.execute(_posting_sql(entry, "4301", "general", "credit", 400), alliance)
        with pytest.raises(asyncpg.PostgresError, match="does not balance"):
            await conn.execute("COMMIT")
    finally:
        await conn.close()
    conn = await _app(finance_db, alliance)
    try:
        entry = uuid.uuid4()
        await conn.execute(_entry_sql(entry), alliance)
        with pytest.raises(asyncpg.PostgresError, match="fewer than two postings"):
            await conn.execute("COMMIT")
    finally:
        await conn.close()


async def test_an_earmarked_fund_cannot_be_overdrawn_or_spent_on_another_use_in_sql(
    finance_db: ServiceDatabase, books: tuple[Database, uuid.UUID]
) -> None:
    _, alliance = books
    conn = await _app(finance_db, alliance)
    try:
        entry = uuid.uuid4()
        await conn.execute(_entry_sql(entry), alliance)
        with pytest.raises(asyncpg.CheckViolationError, match="earmarked_never_negative"):
            await conn.execute(_posting_sql(entry, "1002", "grant", "credit", 100_01), alliance)
    finally:
        await conn.close()
    conn = await _app(finance_db, alliance)
    try:
        entry = uuid.uuid4()
        await conn.execute(_entry_sql(entry), alliance)
        with pytest.raises(asyncpg.PostgresError, match="cannot pay for account 520101"):
            await conn.execute(_posting_sql(entry, "520101", "grant", "debit", 10), alliance)
    finally:
        await conn.close()


async def test_nothing_is_posted_into_a_year_that_is_not_open(
    finance_db: ServiceDatabase, books: tuple[Database, uuid.UUID]
) -> None:
    _, alliance = books
    error = await _refused(finance_db, alliance, _entry_sql(uuid.uuid4(), 2030), alliance)
    assert "not opened" in str(error)


async def test_an_entry_is_reversed_at_most_once_in_the_database(
    finance_db: ServiceDatabase, books: tuple[Database, uuid.UUID]
) -> None:
    _, alliance = books
    conn = await _app(finance_db, alliance)
    try:
        original = await conn.fetchval(
            "SELECT id FROM journal_entries WHERE alliance_id = $1 LIMIT 1", alliance
        )
        insert = (
            "INSERT INTO journal_entries (id, alliance_id, fiscal_year, entry_date, currency, "
            "kind, memo, request_hash, posted_by, reverses_id) VALUES ($2, $1, 2026, "
            "'2026-06-01', 'CNY', 'reversal', 'r', 'x', 'raw', $3)"
        )
        await conn.execute(insert, alliance, uuid.uuid4(), original)
        with pytest.raises(asyncpg.UniqueViolationError):
            await conn.execute(insert, alliance, uuid.uuid4(), original)
    finally:
        await conn.close()


async def test_a_budget_is_not_approved_without_a_passed_motion(
    finance_db: ServiceDatabase, books: tuple[Database, uuid.UUID]
) -> None:
    _, alliance = books
    budget = uuid.uuid4()
    conn = await _app(finance_db, alliance)
    try:
        await conn.execute(
            "INSERT INTO budgets (id, alliance_id, fiscal_year, currency, status, prepared_by) "
            "VALUES ($1, $2, 2026, 'CNY', 'submitted', 't')",
            budget,
            alliance,
        )
        matter = uuid.uuid4()
        await conn.execute(
            "INSERT INTO matters (id, alliance_id, kind, subject_id, status, submitted_by) "
            "VALUES ($1, $2, 'budget_approval', $3, 'pending', 't')",
            matter,
            alliance,
            budget,
        )
        with pytest.raises(asyncpg.PostgresError, match="without a passed budget_approval motion"):
            await conn.execute(
                "UPDATE budgets SET status = 'approved', approval_matter_id = $1 WHERE id = $2",
                matter,
                budget,
            )
    finally:
        await conn.close()
