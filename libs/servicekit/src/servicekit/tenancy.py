"""Tenancy: which alliances a transaction may touch, enforced by PostgreSQL row-level security.

Every tenant table carries the alliance id and a policy (see :func:`tenant_policy_sql`) that
compares it with the transaction-local settings written by :func:`apply_scope`. Python decides
who may do what; PostgreSQL makes sure a query cannot reach another alliance's rows anyway.
"""

from __future__ import annotations

import re
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
    # The alliances whose secretariat the caller is (reads the audit log: servicekit.audit).
    secretariat_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)

    @classmethod
    def of(cls, *ids: uuid.UUID, user_id: str | None = None) -> TenantScope:
        return cls(alliance_ids=frozenset(ids), user_id=user_id)

    @classmethod
    def everything(cls, user_id: str | None = None) -> TenantScope:
        return cls(all_alliances=True, user_id=user_id)

    def including(self, ids: Iterable[uuid.UUID]) -> TenantScope:
        return TenantScope(
            self.alliance_ids | frozenset(ids),
            self.all_alliances,
            self.user_id,
            self.secretariat_ids,
        )


async def apply_scope(session: AsyncSession, scope: TenantScope) -> None:
    """Write the scope into the current transaction (``set_config(..., true)``: local to it)."""
    ids = "{" + ",".join(sorted(str(i) for i in scope.alliance_ids)) + "}"
    secretariat = "{" + ",".join(sorted(str(i) for i in scope.secretariat_ids)) + "}"
    await session.execute(
        text(
            "SELECT set_config('app.alliance_ids', :ids, true),"
            " set_config('app.all_alliances', :all, true),"
            " set_config('app.user_id', :uid, true),"
            " set_config('app.secretariat_ids', :sec, true)"
        ),
        {
            "ids": ids,
            "all": "on" if scope.all_alliances else "",
            "uid": scope.user_id or "",
            "sec": secretariat,
        },
    )


# The expression every tenant policy is built from. ``current_setting(..., true)`` returns NULL
# or '' when unset, which matches no alliance: a transaction without a scope sees nothing.
# Each setting is read in a scalar sub-select, so PostgreSQL evaluates it (and the text ->
# uuid[] cast) once per statement as an initplan, not once per row it scans; the query's own
# ``alliance_id = …`` condition then drives the index and the policy costs a comparison per row
# (docs/benchmarks.md: 52 -> 19 ms for a count over 110,000 rows).
# (An array sub-select: ``ANY ((SELECT …))`` would compare with each row of a sub-select.)
SCOPE_IDS = (
    "ARRAY(SELECT unnest(coalesce(nullif(current_setting('app.alliance_ids', true), ''),"
    " '{{}}')::uuid[]))"
)
ALL_SCOPE = "(SELECT coalesce(current_setting('app.all_alliances', true), '') = 'on')"
IN_SCOPE = "({col} = ANY (" + SCOPE_IDS + ") OR " + ALL_SCOPE + ")"


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
    return ALL_SCOPE


# --- policies written before the settings were read once per statement ----------------------
# The deparsed forms (pg_policies) of the per-row reads, most specific first: the uuid[] cast
# of a list setting, the coalesce of a flag, then any other bare read (``app.user_id``).
_NOT_HOISTED = r"(?<!SELECT )(?<!SELECT \()(?<!unnest\()"
_SETTING = r"current_setting\('app\.\w+'::text, true\)"
_PER_ROW = [
    re.compile(
        _NOT_HOISTED
        + r"\(COALESCE\(NULLIF\("
        + _SETTING
        + r", ''::text\), '\{\}'::text\)\)::uuid\[\]"
    ),
    re.compile(_NOT_HOISTED + r"COALESCE\(" + _SETTING + r", ''::text\)"),
    re.compile(r"(?<!SELECT )(?<!NULLIF\()(?<!COALESCE\()" + _SETTING),
]
_HOISTED = re.compile(
    r"ARRAY\( SELECT unnest\((.+?)\) AS unnest\)"
    r"|\( SELECT (.+?)(?: AS (?:\w+|\"[^\"]*\"))?\)(?=\)| OR| AND|$)"
)


def per_row_settings(expression: str) -> list[str]:
    """The ``current_setting`` reads of a deparsed policy expression that PostgreSQL would
    evaluate for every row (not inside a scalar sub-select); [] when the policy is fast."""
    found: list[str] = []
    for pattern in _PER_ROW:
        found += pattern.findall(expression)
        expression = pattern.sub("", expression)
    return found


def _hoisted(match: re.Match[str]) -> str:
    read = match.group(0)
    # an array stays an array: ``ANY ((SELECT …))`` would mean each row of the sub-select
    return f"ARRAY(SELECT unnest({read}))" if read.endswith("::uuid[]") else f"(SELECT {read})"


def hoist_settings(expression: str) -> str:
    """``expression`` with every per-row settings read wrapped in a scalar sub-select."""
    for pattern in _PER_ROW:
        expression = pattern.sub(_hoisted, expression)
    return expression


def _rewrite_policies(rewrite: object) -> None:
    from alembic import op

    assert callable(rewrite)
    bind = op.get_bind()
    rows = bind.execute(
        text(
            "SELECT tablename, policyname, qual, with_check FROM pg_policies"
            " WHERE schemaname = 'public' ORDER BY tablename, policyname"
        )
    ).all()
    for table, name, qual, check in rows:
        clauses = []
        if qual is not None and rewrite(qual) != qual:
            clauses.append(f"USING ({rewrite(qual)})")
        if check is not None and rewrite(check) != check:
            clauses.append(f"WITH CHECK ({rewrite(check)})")
        if clauses:
            op.execute(f'ALTER POLICY "{name}" ON "{table}" ' + " ".join(clauses))


def hoist_settings_ops() -> None:
    """A service's revision that rewrites its existing policies so every settings read is an
    initplan (call from its Alembic ``upgrade``; the same for every service)."""
    _rewrite_policies(hoist_settings)


def unhoist_settings_ops() -> None:
    """Its ``downgrade``: the per-row reads again."""

    def unhoist(expression: str) -> str:
        def bare(match: re.Match[str]) -> str:
            read = match.group(1) or match.group(2)
            return read if "current_setting(" in read else match.group(0)

        return _HOISTED.sub(bare, expression)

    _rewrite_policies(unhoist)
