"""Every service's tables but its platform-wide ones are under forced row-level security, and
its service role cannot bypass it: one catalog test over every service."""

from __future__ import annotations

from importlib import import_module

import pytest

from devkit.local.provision import ServiceDatabase
from devkit.testing.catalog import (
    app_role_problems,
    policies_reading_settings_per_row,
    tables_missing_tenant_policy,
)
from devkit.testing.handles import PostgresHandle
from devkit.testing.subgraph import migrated
from servicekit.events.tables import PARKED
from servicekit.services import SERVICES


@pytest.fixture(scope="module", params=SERVICES)
def service_db(
    request: pytest.FixtureRequest, postgres: PostgresHandle
) -> tuple[str, ServiceDatabase]:
    service: str = request.param
    return service, migrated(service, postgres.fresh_database(f"{service}_catalog"))


async def test_every_tenant_table_has_a_forced_policy(
    service_db: tuple[str, ServiceDatabase],
) -> None:
    service, db = service_db
    platform_tables = import_module(f"{service}.models").PLATFORM_TABLES
    assert await tables_missing_tenant_policy(db.migration_dsn, platform_tables) == []


async def test_every_policy_reads_the_tenant_settings_once_per_statement(
    service_db: tuple[str, ServiceDatabase],
) -> None:
    assert await policies_reading_settings_per_row(service_db[1].migration_dsn) == []


def test_the_per_row_check_sees_a_bare_settings_read() -> None:
    from servicekit.tenancy import hoist_settings, per_row_settings

    bare = (
        "((alliance_id = ANY ((COALESCE(NULLIF(current_setting('app.alliance_ids'::text, true),"
        " ''::text), '{}'::text))::uuid[])) OR (user_id = current_setting('app.user_id'::text,"
        " true)))"
    )
    assert len(per_row_settings(bare)) == 2
    assert per_row_settings(hoist_settings(bare)) == []


async def test_the_service_role_cannot_bypass_rls(service_db: tuple[str, ServiceDatabase]) -> None:
    assert await app_role_problems(service_db[1].app_dsn) == []


@pytest.mark.parametrize("service", SERVICES)
def test_models_declare_every_table(service: str) -> None:
    models = import_module(f"{service}.models")
    declared = set(models.TENANT_TABLES) | models.PLATFORM_TABLES | {"outbox", "inbox", PARKED}
    assert declared == set(models.Base.metadata.tables)
