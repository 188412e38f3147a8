"""Every membership table but the platform-wide ones is under forced row-level security."""

from membership.models import PLATFORM_TABLES, TENANT_TABLES, Base
from servicekit.local.provision import ServiceDatabase
from servicekit.testing.catalog import app_role_problems, tables_missing_tenant_policy


async def test_every_tenant_table_has_a_forced_policy(membership_db: ServiceDatabase) -> None:
    assert await tables_missing_tenant_policy(membership_db.migration_dsn, PLATFORM_TABLES) == []


async def test_the_service_role_cannot_bypass_rls(membership_db: ServiceDatabase) -> None:
    assert await app_role_problems(membership_db.app_dsn) == []


def test_models_declare_every_table() -> None:
    declared = set(TENANT_TABLES) | PLATFORM_TABLES | {"outbox", "inbox"}
    assert declared == set(Base.metadata.tables)
