"""The engine survives the database ending its sessions (a restart, ``pg_terminate_backend``):
a pooled connection the server dropped is replaced by itself, and what failed on it is the
typed, retryable kind (``is_unavailable``), not an internal error."""

from __future__ import annotations

import asyncpg
import sqlalchemy as sa

from devkit.testing.handles import PostgresHandle
from servicekit.db import Database, broken_connection
from servicekit.errors import is_unavailable
from servicekit.tenancy import TenantScope


async def _terminate(postgres: PostgresHandle, pid: int) -> None:
    conn = await asyncpg.connect(postgres.superuser_dsn)
    try:
        await conn.execute("SELECT pg_terminate_backend($1)", pid)
    finally:
        await conn.close()


async def test_a_pooled_connection_the_server_ended_is_replaced_without_an_error(
    postgres: PostgresHandle,
) -> None:
    provisioned = postgres.fresh_database("dbtest")
    database = Database(provisioned.app_url, pool_size=1)
    try:
        async with database.engine.connect() as conn:
            pid = await conn.scalar(sa.text("SELECT pg_backend_pid()"))
        await _terminate(postgres, pid)  # while the connection sits idle in the pool
        async with database.transaction(TenantScope.everything()) as session:
            again = await session.scalar(sa.text("SELECT pg_backend_pid()"))
        assert again != pid
        await database.ping_within(2)
    finally:
        await database.dispose()
        postgres.drop_database(provisioned.name)


async def test_a_session_ended_in_the_middle_of_a_transaction_fails_as_unavailable(
    postgres: PostgresHandle,
) -> None:
    provisioned = postgres.fresh_database("dbtest")
    database = Database(provisioned.app_url, pool_size=1)
    try:
        failure: BaseException | None = None
        try:
            async with database.transaction(TenantScope.everything()) as session:
                await session.execute(sa.text("SELECT pg_terminate_backend(pg_backend_pid())"))
        except Exception as exc:
            failure = exc
        assert failure is not None and is_unavailable(failure)
        await database.ping_within(2)  # and the pool has recovered
    finally:
        await database.dispose()
        postgres.drop_database(provisioned.name)


def test_asyncpgs_word_for_a_connection_dropped_under_it_counts_as_broken() -> None:
    dropped = asyncpg.exceptions.InternalClientError(
        "cannot switch to state 15; another operation (2) is in progress"
    )
    assert broken_connection(dropped) and is_unavailable(dropped)
    assert not broken_connection(asyncpg.exceptions.InternalClientError("something else"))
    assert not is_unavailable(ValueError("another operation"))
