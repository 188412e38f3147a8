"""Every mutation remembered: the audit log, and the replay guard (docs/conventions.md).

Each service keeps both in its own database (one Alembic revision per service creates them
with :func:`upgrade_ops`); :class:`MutationRecord`, an extension of every subgraph schema,
writes them, so no service writes a line of its own:

- ``seen_requests``: the gateway's request id of every mutation this service carried out,
  kept for twice the signature window (a signature older than that is refused anyway). A
  captured signed mutation sent again is refused with ``REPLAYED`` and changes nothing. The id
  is recorded in its own committed transaction before the mutation runs, so a replay of a
  mutation that failed is refused too. Queries are not recorded: repeating a read changes
  nothing, and every page of a list would cost a write.
- ``audit_log``: who (``sub``, operator or not), when, which alliance, the operation (its root
  fields), the outcome (``ok`` or the error codes) and the request id, written after the
  request's own transaction ended, whether it committed or not. Under forced row-level
  security: the platform operator reads every row, an alliance's secretariat the rows of that
  alliance (``app.secretariat_ids``), nobody else any; rows of no alliance only the operator.

The alliance of an entry is the alliance of the rows the mutation wrote (from the session's
flushes), or else the ``alliance`` argument it named (a refusal before anything was written).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from graphql import ExecutionResult, FieldNode, GraphQLError, OperationDefinitionNode
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import JSONB, UUID, insert
from sqlalchemy.orm import Session
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from servicekit.auth.signing import SIGNATURE_MAX_AGE
from servicekit.errors import is_unavailable, unavailable_error
from servicekit.tenancy import IN_SCOPE, TenantScope, alliance_id

if TYPE_CHECKING:
    from servicekit.graphql.context import Context

log = logging.getLogger(__name__)
REPLAY_WINDOW = timedelta(seconds=2 * SIGNATURE_MAX_AGE)

_metadata = sa.MetaData()
seen_requests = sa.Table(
    "seen_requests",
    _metadata,
    sa.Column("request_id", sa.Text, primary_key=True),
    sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)
audit_log = sa.Table(
    "audit_log",
    _metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("user_id", sa.Text, nullable=False),
    sa.Column("operator", sa.Boolean, nullable=False),
    sa.Column("alliance_id", UUID(as_uuid=True), nullable=True),
    sa.Column("operation", sa.Text, nullable=False),
    sa.Column("outcome", sa.Text, nullable=False),
    sa.Column("error_codes", JSONB, nullable=False, server_default="[]"),
    sa.Column("request_id", sa.Text, nullable=True),
)

# Settings read in scalar sub-selects: once per statement, not per row (servicekit.tenancy).
SECRETARIAT_READS = (
    "(alliance_id = ANY (ARRAY(SELECT unnest(coalesce(nullif("
    "current_setting('app.secretariat_ids', true), ''), '{}')::uuid[]))))"
)
ALL_ALLIANCES = "(SELECT coalesce(current_setting('app.all_alliances', true), '') = 'on')"


def upgrade_ops() -> None:
    """The DDL of a service's audit-log revision (call from its Alembic ``upgrade``)."""
    from alembic import op

    op.create_table(
        "seen_requests",
        sa.Column("request_id", sa.Text(), nullable=False),
        sa.Column(
            "seen_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_seen_requests")),
    )
    op.create_index("ix_seen_requests_seen_at", "seen_requests", ["seen_at"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("operator", sa.Boolean(), nullable=False),
        sa.Column("alliance_id", sa.UUID(), nullable=True),
        sa.Column("operation", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("error_codes", JSONB(), server_default="[]", nullable=False),
        sa.Column("request_id", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_alliance_at", "audit_log", ["alliance_id", "at"])
    for statement in (
        "ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE audit_log FORCE ROW LEVEL SECURITY",
        # Read: the operator all, a secretariat its alliance's. Write: what the recorder's
        # all-alliances transaction may (no request's own scope writes here).
        f"CREATE POLICY tenant_isolation ON audit_log USING ({ALL_ALLIANCES} OR "
        f"{SECRETARIAT_READS}) WITH CHECK ({IN_SCOPE.format(col='alliance_id')} "
        f"OR {ALL_ALLIANCES})",
    ):
        op.execute(statement)


def downgrade_ops() -> None:
    from alembic import op

    op.drop_table("audit_log")
    op.drop_table("seen_requests")


# --- which alliances a request wrote ----------------------------------------------------------

WRITTEN = "concord_written_alliances"


@event.listens_for(Session, "before_flush")
def _note_written_alliances(session: Session, *_: Any) -> None:
    written: set[uuid.UUID] = session.info.setdefault(WRITTEN, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        value = getattr(obj, "alliance_id", None)
        if isinstance(value, uuid.UUID):
            written.add(value)


def _named_alliances(operation: OperationDefinitionNode | None, variables: dict[str, Any]) -> set:
    """Alliance slugs named by an ``alliance`` argument or input field of a root field."""
    found: set[uuid.UUID] = set()

    def take(value: Any) -> None:
        if isinstance(value, str):
            found.add(alliance_id(value))

    def walk_value(node: Any, key: str | None) -> None:
        kind = getattr(node, "kind", "")
        if kind == "variable":
            raw = variables.get(node.name.value)
            walk_raw(raw, key)
        elif kind == "string_value" and key in ("alliance", "allianceSlug"):
            take(node.value)
        elif kind == "object_value":
            for field in node.fields:
                walk_value(field.value, field.name.value)

    def walk_raw(raw: Any, key: str | None) -> None:
        if key in ("alliance", "allianceSlug"):
            take(raw)
        elif isinstance(raw, dict):
            for k, v in raw.items():
                walk_raw(v, k)

    if operation is not None:
        for selection in operation.selection_set.selections:
            for argument in getattr(selection, "arguments", None) or ():
                walk_value(argument.value, argument.name.value)
    return found


# --- the extension ----------------------------------------------------------------------------


def _operation_node(document: Any, name: str | None) -> OperationDefinitionNode | None:
    if document is None:
        return None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    for candidate in operations:
        if name is None or (candidate.name and candidate.name.value == name):
            return candidate
    return None


class MutationRecord(SchemaExtension):
    """Refuses a replayed mutation and writes the audit entry of every mutation (see module)."""

    def _is_mutation(self) -> bool:
        try:
            return self.execution_context.operation_type == OperationType.MUTATION
        except Exception:  # no parsable operation: nothing executed, nothing to record
            return False

    async def on_execute(self) -> AsyncIterator[None]:
        context: Context = self.execution_context.context
        request_id = getattr(context, "request_id", None)
        if self._is_mutation() and request_id and not self.execution_context.result:
            try:
                first = await self._first_sight(context, request_id)
            except Exception as exc:  # the database is down: typed, and nothing was done
                if not is_unavailable(exc):
                    raise
                self.execution_context.result = ExecutionResult(
                    data=None, errors=[unavailable_error()]
                )
                yield
                return
        else:
            first = True
        if not first:
            self.execution_context.result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        "This signed request was carried out already; a mutation is "
                        "accepted once. Send it again through the gateway.",
                        extensions={"code": "REPLAYED"},
                    )
                ],
            )
        yield

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        if not self._is_mutation():
            return
        context: Context = self.execution_context.context
        try:
            await self._record(context)
        except Exception:  # the audit must never turn an answer into an internal error
            log.exception("could not write the audit entry of a mutation")

    async def _first_sight(self, context: Context, request_id: str) -> bool:
        database = context.tx.database
        async with database.transaction(TenantScope.everything()) as session:
            await session.execute(
                sa.delete(seen_requests).where(
                    seen_requests.c.seen_at < datetime.now(UTC) - REPLAY_WINDOW
                )
            )
            inserted = await session.scalar(
                insert(seen_requests)
                .values(request_id=request_id)
                .on_conflict_do_nothing()
                .returning(seen_requests.c.request_id)
            )
        return inserted is not None

    async def _record(self, context: Context) -> None:
        ec = self.execution_context
        result = ec.result
        errors = list(getattr(result, "errors", None) or [])
        codes = sorted({str((e.extensions or {}).get("code", "ERROR")) for e in errors})
        operation = _operation_node(ec.graphql_document, ec.operation_name)
        fields = [
            s.name.value
            for s in (operation.selection_set.selections if operation else ())
            if isinstance(s, FieldNode)
        ]
        alliances = set(context.tx.written_alliances) or _named_alliances(
            operation, ec.variables or {}
        )
        principal = context.principal
        rows = [
            {
                "id": uuid.uuid4(),
                "user_id": principal.user_id,
                "operator": principal.operator,
                "alliance_id": aid,
                "operation": ",".join(f for f in fields if f) or "(none)",
                "outcome": "ok" if not errors else "refused",
                "error_codes": codes,
                "request_id": getattr(context, "request_id", None),
            }
            for aid in (sorted(alliances) or [None])
        ]
        async with context.tx.database.transaction(TenantScope.everything()) as session:
            await session.execute(sa.insert(audit_log), rows)
