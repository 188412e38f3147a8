"""Catalog checks: no table of a service ships without its tenant policy."""

from __future__ import annotations

import asyncpg

# Tables that hold no tenant data: Alembic's revision, and the replay guard's request ids and
# times (servicekit.audit), which name no alliance and are read by no request.
SYSTEM_TABLES = {"alembic_version", "seen_requests"}


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


async def policies_reading_settings_per_row(dsn: str) -> list[str]:
    """Policies of schema public that read a ``current_setting`` outside a scalar sub-select,
    which PostgreSQL then evaluates for every row it scans (servicekit.tenancy)."""
    from servicekit.tenancy import per_row_settings

    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT tablename, policyname, qual, with_check FROM pg_policies"
            " WHERE schemaname = 'public' ORDER BY 1, 2"
        )
    finally:
        await conn.close()
    return [
        f"{r['tablename']}.{r['policyname']}: {', '.join(reads)}"
        for r in rows
        if (reads := per_row_settings(r["qual"] or "") + per_row_settings(r["with_check"] or ""))
    ]


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
