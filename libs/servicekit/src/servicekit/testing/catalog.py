"""Catalog checks: no table of a service ships without its tenant policy."""

from __future__ import annotations

import asyncpg

SYSTEM_TABLES = {"alembic_version"}


async def tables_missing_tenant_policy(dsn: str, platform_tables: set[str]) -> list[str]:
    """Tables of schema public that are not platform-wide yet lack forced RLS with a policy
    that has both USING and WITH CHECK; an empty list means every tenant table is guarded."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            """
            SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                   bool_and(p.polqual IS NOT NULL AND p.polwithcheck IS NOT NULL) AS both,
                   count(p.oid) AS policies
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
            LEFT JOIN pg_policy p ON p.polrelid = c.oid
            WHERE c.relkind IN ('r', 'p')
            GROUP BY c.relname, c.relrowsecurity, c.relforcerowsecurity
            """
        )
    finally:
        await conn.close()
    exempt = SYSTEM_TABLES | platform_tables
    return sorted(
        f"{r['relname']} (rls={r['relrowsecurity']}, forced={r['relforcerowsecurity']}, "
        f"policies={r['policies']}, using+check={r['both']})"
        for r in rows
        if r["relname"] not in exempt
        and not (r["relrowsecurity"] and r["relforcerowsecurity"] and r["policies"] and r["both"])
    )


async def app_role_problems(dsn: str) -> list[str]:
    """Ways the role of ``dsn`` could escape row-level security (it must own nothing)."""
    conn = await asyncpg.connect(dsn)
    try:
        role = await conn.fetchrow(
            "SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
        owned = await conn.fetch(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) = current_user"
        )
    finally:
        await conn.close()
    problems = []
    if role["rolsuper"]:
        problems.append(f"{role['rolname']} is a superuser")
    if role["rolbypassrls"]:
        problems.append(f"{role['rolname']} has BYPASSRLS")
    problems += [f"{role['rolname']} owns {r['relname']}" for r in owned]
    return problems
