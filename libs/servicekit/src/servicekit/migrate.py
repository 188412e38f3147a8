"""``concord-migrate SERVICE``: upgrade a service's database to the newest Alembic revision.

Migrations live inside each service package (``<service>/migrations``) so an installed image
carries them; they run as the owner role (``<SERVICE>_MIGRATION_DATABASE_URL``), the service
itself never does. Each service's ``env.py`` is one call to :func:`run_env`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from importlib import import_module

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from servicekit.services import SERVICES
from servicekit.settings import ServiceSettings

__all__ = ["SERVICES", "alembic_config", "main", "run_env", "upgrade"]


def alembic_config(service: str, url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", f"{service}:migrations")
    cfg.set_main_option(
        "file_template",
        "%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s",
    )
    if url is None:
        settings: ServiceSettings = import_module(f"{service}.settings").Settings()
        url = settings.migration_database_url
        if not url:
            raise SystemExit(f"{service.upper()}_MIGRATION_DATABASE_URL is not set")
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(service: str, url: str | None = None, revision: str = "head") -> None:
    import_module(service)  # fail early and clearly if the service is not installed
    command.upgrade(alembic_config(service, url), revision)


def run_env(target_metadata: MetaData) -> None:
    """The body of every service's ``migrations/env.py`` (online, async engine)."""
    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url is not configured"

    def run(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            compare_type=True,
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(run)
            await connection.commit()
        await engine.dispose()

    asyncio.run(main())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("service", choices=SERVICES)
    parser.add_argument("--revision", default="head")
    parser.add_argument("--url", help="owner-role database URL (default: from the environment)")
    args = parser.parse_args(argv)
    upgrade(args.service, args.url, args.revision)
    print(f"{args.service}: database at revision {args.revision}", file=sys.stderr)


if __name__ == "__main__":
    main()
