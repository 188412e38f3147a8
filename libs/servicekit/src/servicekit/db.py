"""Database access: the async engine, a naming convention, and transactions scoped to tenants.

Each service has its own ``DeclarativeBase`` (its own database and migrations) built with
:func:`metadata` so constraint names are stable across Alembic revisions. A request holds one
:class:`RequestTransaction`: one ``AsyncSession`` in one transaction, committed or rolled back
at the boundary (see ``servicekit.graphql.schema``), used by one coroutine at a time.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from sqlalchemy import MetaData, event, text
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from servicekit.tenancy import TenantScope, apply_scope

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


def broken_connection(exc: BaseException | None) -> bool:
    """asyncpg's own word for a connection the server dropped under it: when PostgreSQL
    terminates a session (a restart, ``pg_terminate_backend``), the next use of that pooled
    connection fails with "cannot switch to state N; another operation (M) is in progress",
    which SQLAlchemy does not take for a disconnect (tests/faults/test_postgres_restart.py)."""
    import asyncpg

    return isinstance(exc, asyncpg.exceptions.InternalClientError) and (
        "another operation" in str(exc)
    )


def _count_broken_connections_as_disconnects(context: ExceptionContext) -> None:
    original = context.original_exception
    if broken_connection(original) or broken_connection(original.__cause__):
        # The pool throws the connection away (the pre-ping then reconnects by itself).
        context.is_disconnect = True


class Database:
    """The engine and session factory of one service."""

    def __init__(self, url: str, *, pool_size: int = 10, echo: bool = False) -> None:
        self.engine: AsyncEngine = create_async_engine(
            url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, echo=echo
        )
        event.listen(
            self.engine.sync_engine, "handle_error", _count_broken_connections_as_disconnects
        )
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        self._ping: asyncio.Task[None] | None = None

    @asynccontextmanager
    async def transaction(self, scope: TenantScope) -> AsyncIterator[AsyncSession]:
        """One transaction in ``scope``: committed when the block ends, rolled back on error."""
        async with self.sessionmaker() as session, session.begin():
            await apply_scope(session, scope)
            yield session

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def ping_within(self, seconds: float) -> None:
        """A readiness check that gives up waiting after ``seconds`` without cancelling the
        ping itself: a query cancelled half-way would leave its pooled connection unusable.
        Probes arriving while one ping is under way wait for that one."""
        if self._ping is None or self._ping.done():
            self._ping = asyncio.create_task(self.ping())
        await asyncio.wait_for(asyncio.shield(self._ping), seconds)

    async def dispose(self) -> None:
        await self.engine.dispose()


class RequestTransaction:
    """The one transaction of a GraphQL request.

    Strawberry resolves sibling fields concurrently, but an ``AsyncSession`` must not be used
    by two coroutines at once: :meth:`use` hands the session out under a lock. The boundary
    calls :meth:`finish` once, committing only when the whole operation succeeded.
    """

    def __init__(self, database: Database, scope: TenantScope) -> None:
        self._database = database
        self.scope = scope
        self._session: AsyncSession | None = None
        self._lock = asyncio.Lock()
        self.written_alliances: set[uuid.UUID] = set()

    @property
    def database(self) -> Database:
        return self._database

    async def _started(self) -> AsyncSession:
        if self._session is None:
            self._session = self._database.sessionmaker()
            await self._session.begin()
            await apply_scope(self._session, self.scope)
        return self._session

    @asynccontextmanager
    async def use(self) -> AsyncIterator[AsyncSession]:
        """The request's session, in the caller's tenant scope."""
        async with self._lock:
            yield await self._started()

    @asynccontextmanager
    async def widened(self, alliance_ids: Iterable[uuid.UUID]) -> AsyncIterator[AsyncSession]:
        """The session with ``alliance_ids`` added to the scope for this block only.

        For writes the caller may make in an alliance it has no role in (its own application,
        its own membership), decided in Python first; the rest of the request, including the
        fields of the response, is read in the caller's own scope again.
        """
        async with self._lock:
            session = await self._started()
            await apply_scope(session, self.scope.including(alliance_ids))
            yield session
            # Write what the block added while the wider scope holds; not reached on error (the
            # request then rolls back).
            await session.flush()
            await apply_scope(session, self.scope)

    @asynccontextmanager
    async def narrowed(self, scope: TenantScope) -> AsyncIterator[AsyncSession]:
        """The session in ``scope`` for this block only: a scope no wider than the request's
        (the figures of a dashboard are read in the caller's staff alliances alone, and with no
        user id, so no contact person's own rows are counted). Row-level security applies it."""
        if not self.scope.all_alliances:
            assert not scope.all_alliances, "a narrowed scope cannot reach every alliance"
            assert scope.alliance_ids <= self.scope.alliance_ids, "a narrowed scope is narrower"
        async with self._lock:
            session = await self._started()
            await apply_scope(session, scope)
            try:
                yield session
            finally:
                await apply_scope(session, self.scope)

    async def finish(self, *, commit: bool) -> None:
        session, self._session = self._session, None
        if session is None:
            return
        # The alliances whose rows this request wrote (servicekit.audit notes them per flush).
        self.written_alliances |= session.sync_session.info.get("concord_written_alliances", set())
        try:
            if commit:
                await session.commit()
            else:
                await session.rollback()
        finally:
            await session.close()
