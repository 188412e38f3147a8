"""Every notifications table is under forced row-level security; its role cannot bypass it."""

from notifications.models import PLATFORM_TABLES, TENANT_TABLES, Base
from servicekit.local.provision import ServiceDatabase
from servicekit.testing.catalog import app_role_problems, tables_missing_tenant_policy


async def test_every_tenant_table_has_a_forced_policy(notifications_db: ServiceDatabase) -> None:
    assert await tables_missing_tenant_policy(notifications_db.migration_dsn, PLATFORM_TABLES) == []


async def test_the_service_role_cannot_bypass_rls(notifications_db: ServiceDatabase) -> None:
    assert await app_role_problems(notifications_db.app_dsn) == []


def test_models_declare_every_table() -> None:
    assert set(TENANT_TABLES) | PLATFORM_TABLES | {"outbox", "inbox"} == set(Base.metadata.tables)
