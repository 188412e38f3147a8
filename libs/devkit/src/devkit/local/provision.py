"""Create a service's database and its two roles, idempotently.

The tenancy model (docs/conventions.md, "Tenancy in PostgreSQL") needs two roles:

* ``concord_owner`` owns the database, its ``public`` schema and so every table; migrations
  run as it. Owners skip row-level security unless it is ``FORCE``d, hence the forced RLS.
* ``concord_app`` is what the services connect as: it owns nothing and has no ``BYPASSRLS``,
  so RLS policies always apply to it. It gets DML on tables and use of sequences through
  ``ALTER DEFAULT PRIVILEGES FOR ROLE concord_owner``, so tables created by later migrations
  are usable without a grant in every migration.

Both are ``LOGIN NOSUPERUSER NOBYPASSRLS``; locally (trust auth) they have no password. Roles
are cluster-wide, so the databases of all services in one cluster share them.
Running this twice (``make up`` twice, parallel test workers) changes nothing.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import quote, urlsplit

import asyncpg

OWNER_ROLE = "concord_owner"
APP_ROLE = "concord_app"
#: pg_advisory_lock key serialising provisioning within one cluster (any constant will do).
_PROVISION_LOCK = 0x636F6E636F7264  # "concord"
_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

T = TypeVar("T")


@dataclass(frozen=True)
class ServiceDatabase:
    """Where a service's database is, and the URLs its two roles use (SQLAlchemy form)."""

    name: str
    app_url: str
    migration_url: str

    @property
    def app_dsn(self) -> str:
        """``app_url`` for plain asyncpg/libpq (without ``+asyncpg``)."""
        return self.app_url.replace("postgresql+asyncpg://", "postgresql://", 1)

    @property
    def migration_dsn(self) -> str:
        """``migration_url`` for plain asyncpg/libpq (without ``+asyncpg``)."""
        return self.migration_url.replace("postgresql+asyncpg://", "postgresql://", 1)


def plain_dsn(url: str) -> str:
    """Turn a SQLAlchemy URL (``postgresql+asyncpg://``) into one asyncpg accepts."""
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", url)


def _ident(name: str, what: str) -> str:
    if not _IDENT.match(name):
        raise ValueError(f"{what} {name!r} must match {_IDENT.pattern}")
    return f'"{name}"'


def database_name_for(service_name: str) -> str:
    """``concord_<service>``, the database name convention."""
    return f"concord_{service_name}"


def _url(superuser_dsn: str, role: str, password: str | None, database: str) -> str:
    parts = urlsplit(plain_dsn(superuser_dsn))
    host = parts.hostname or "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    port = parts.port or 5432
    auth = role if password is None else f"{role}:{quote(password, safe='')}"
    return f"postgresql+asyncpg://{auth}@{host}:{port}/{database}"


async def _ensure_role(conn: asyncpg.Connection, role: str, password: str | None) -> None:
    # CREATE ROLE has no IF NOT EXISTS; a concurrent creator raises unique_violation.
    await conn.execute(
        f"""
        DO $$
        BEGIN
            CREATE ROLE {_ident(role, "role")};
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END
        $$;
        """
    )
    # Re-assert the attributes every time: a role left over with other ones is repaired.
    await conn.execute(
        f"ALTER ROLE {_ident(role, 'role')} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
        "NOREPLICATION NOBYPASSRLS INHERIT"
    )
    if password is not None:
        statement = await conn.fetchval(
            "SELECT format('ALTER ROLE %I PASSWORD %L', $1::text, $2::text)", role, password
        )
        await conn.execute(statement)


async def _grant_in_database(superuser_dsn: str, name: str) -> None:
    """Schema ownership and the app role's privileges, inside the service database."""
    owner, app = _ident(OWNER_ROLE, "role"), _ident(APP_ROLE, "role")
    in_db = urlsplit(plain_dsn(superuser_dsn))._replace(path=f"/{name}").geturl()
    conn = await asyncpg.connect(in_db)
    try:
        async with conn.transaction():
            # PG15 gives schema public to pg_database_owner and takes CREATE from PUBLIC;
            # owning it explicitly also holds on older servers, where PUBLIC could CREATE.
            await conn.execute(f"ALTER SCHEMA public OWNER TO {owner}")
            await conn.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
            await conn.execute(f"GRANT USAGE ON SCHEMA public TO {app}")
            await conn.execute(
                f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}"
            )
            await conn.execute(
                f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
                f"GRANT USAGE, SELECT ON SEQUENCES TO {app}"
            )
            # Tables that existed before the default privileges (re-provisioning) too.
            await conn.execute(
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}"
            )
            await conn.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}")
    finally:
        await conn.close()


async def provision_service_database(
    superuser_dsn: str,
    service_name: str,
    *,
    database_name: str | None = None,
    owner_password: str | None = None,
    app_password: str | None = None,
) -> ServiceDatabase:
    """Create (or repair) ``concord_<service>`` with its owner and app roles.

    ``database_name`` overrides the name, so tests can give each module a fresh database.
    Passwords are only needed against a server that does not trust loopback connections.
    """
    name = database_name or database_name_for(service_name)
    db = _ident(name, "database name")
    owner, app = _ident(OWNER_ROLE, "role"), _ident(APP_ROLE, "role")

    conn = await asyncpg.connect(plain_dsn(superuser_dsn))
    try:
        # Parallel provisioners (test workers, replicas of a setup job) would otherwise race
        # on catalog rows ("tuple concurrently updated", duplicate keys); the session lock
        # is held until this connection closes, i.e. over the per-database step as well.
        await conn.execute("SELECT pg_advisory_lock($1)", _PROVISION_LOCK)
        await _ensure_role(conn, OWNER_ROLE, owner_password)
        await _ensure_role(conn, APP_ROLE, app_password)
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            # Someone without the lock may still win the race: that is fine.
            with contextlib.suppress(asyncpg.DuplicateDatabaseError, asyncpg.UniqueViolationError):
                await conn.execute(
                    f"CREATE DATABASE {db} OWNER {owner} TEMPLATE template0 ENCODING 'UTF8'"
                )
        await conn.execute(f"ALTER DATABASE {db} OWNER TO {owner}")
        # Only the two roles may connect; no temporary tables for anyone else.
        await conn.execute(f"REVOKE ALL ON DATABASE {db} FROM PUBLIC")
        await conn.execute(f"GRANT CONNECT ON DATABASE {db} TO {app}")
        await _grant_in_database(superuser_dsn, name)
    finally:
        await conn.close()

    return ServiceDatabase(
        name=name,
        app_url=_url(superuser_dsn, APP_ROLE, app_password, name),
        migration_url=_url(superuser_dsn, OWNER_ROLE, owner_password, name),
    )


async def drop_service_database(superuser_dsn: str, database_name: str) -> None:
    """Drop a database, disconnecting its sessions first (``WITH (FORCE)``, PG13+).

    The roles stay: other databases of the cluster use them.
    """
    conn = await asyncpg.connect(plain_dsn(superuser_dsn))
    try:
        await conn.execute(
            f"DROP DATABASE IF EXISTS {_ident(database_name, 'database name')} WITH (FORCE)"
        )
    finally:
        await conn.close()


def run_sync(factory: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion from synchronous code, even inside a running loop.

    A fresh loop in a worker thread: sync pytest fixtures and ``make up`` scripts can call it
    whether or not pytest-asyncio's loop is running in this thread.
    """

    async def main() -> T:
        return await factory()

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, main()).result()


def provision_service_database_sync(
    superuser_dsn: str,
    service_name: str,
    *,
    database_name: str | None = None,
    owner_password: str | None = None,
    app_password: str | None = None,
) -> ServiceDatabase:
    """Synchronous :func:`provision_service_database` (fixtures, ``make up``)."""
    return run_sync(
        lambda: provision_service_database(
            superuser_dsn,
            service_name,
            database_name=database_name,
            owner_password=owner_password,
            app_password=app_password,
        )
    )


def drop_service_database_sync(superuser_dsn: str, database_name: str) -> None:
    """Synchronous :func:`drop_service_database`."""
    run_sync(lambda: drop_service_database(superuser_dsn, database_name))
