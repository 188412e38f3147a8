"""Tenancy: which alliances a transaction may touch, enforced by PostgreSQL row-level security.

Every tenant table carries the alliance id and a policy (see :func:`tenant_policy_sql`) that
compares it with the transaction-local settings written by :func:`apply_scope`. Python decides
who may do what; PostgreSQL makes sure a query cannot reach another alliance's rows anyway.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

CONCORD_NAMESPACE = uuid.UUID("6f1c3a52-4f0e-5a8e-9a57-0c6f1a1e2b3d")


def alliance_id(slug: str) -> uuid.UUID:
    """The alliance's id, derived from its (immutable) slug so every service agrees on it."""
    return uuid.uuid5(CONCORD_NAMESPACE, slug)


@dataclass(frozen=True)
class TenantScope:
    """What one transaction may see: some alliances, or all of them (operator, relay)."""

    alliance_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)
    all_alliances: bool = False
    user_id: str | None = None

    @classmethod
    def of(cls, *ids: uuid.UUID, user_id: str | None = None) -> TenantScope:
        return cls(alliance_ids=frozenset(ids), user_id=user_id)

    @classmethod
    def everything(cls, user_id: str | None = None) -> TenantScope:
        return cls(all_alliances=True, user_id=user_id)

    def including(self, ids: Iterable[uuid.UUID]) -> TenantScope:
        return TenantScope(self.alliance_ids | frozenset(ids), self.all_alliances, self.user_id)


async def apply_scope(session: AsyncSession, scope: TenantScope) -> None:
    """Write the scope into the current transaction (``set_config(..., true)``: local to it)."""
    ids = "{" + ",".join(sorted(str(i) for i in scope.alliance_ids)) + "}"
    await session.execute(
        text(
            "SELECT set_config('app.alliance_ids', :ids, true),"
            " set_config('app.all_alliances', :all, true),"
            " set_config('app.user_id', :uid, true)"
        ),
        {"ids": ids, "all": "on" if scope.all_alliances else "", "uid": scope.user_id or ""},
    )


# The expression every tenant policy is built from. ``current_setting(..., true)`` returns NULL
# or '' when unset, which matches no alliance: a transaction without a scope sees nothing.
IN_SCOPE = (
    "({col} = ANY (coalesce(nullif(current_setting('app.alliance_ids', true), ''), '{{}}')"
    "::uuid[]) OR coalesce(current_setting('app.all_alliances', true), '') = 'on')"
)


def tenant_policy_sql(
    table: str,
    column: str = "alliance_id",
    *,
    extra_using: str | None = None,
    extra_check: str | None = None,
    using_override: str | None = None,
    allow_null: bool = False,
) -> list[str]:
    """DDL that puts ``table`` under forced row-level security keyed on ``column``.

    ``extra_using`` widens what may be read (e.g. a person reads notices addressed to them);
    writes are held to the alliance scope unless ``extra_check`` widens them too (a person
    marks their own notice read). ``using_override`` replaces the read rule
    entirely (the outbox is read by the relay only). ``allow_null`` admits rows of no alliance
    (platform-wide events) to any scope.
    """
    in_scope = IN_SCOPE.format(col=column)
    if allow_null:
        in_scope = f"({column} IS NULL OR {in_scope})"
    using = using_override or (f"({in_scope} OR {extra_using})" if extra_using else in_scope)
    check = f"({in_scope} OR {extra_check})" if extra_check else in_scope
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY tenant_isolation ON {table} USING ({using}) WITH CHECK ({check})",
    ]


def all_alliances_only() -> str:
    """A read rule for system tables that only the relay (all alliances) may read."""
    return "coalesce(current_setting('app.all_alliances', true), '') = 'on'"
