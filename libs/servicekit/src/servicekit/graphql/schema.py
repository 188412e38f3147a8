"""The schema factory: a federation-2 schema with the extensions every subgraph uses."""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator, Sequence
from typing import Literal

import strawberry
from graphql import GraphQLError
from sqlalchemy.exc import DBAPIError
from strawberry.extensions import ParserCache, SchemaExtension, ValidationCache
from strawberry.extensions.tracing import OpenTelemetryExtension
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from servicekit.audit import MutationRecord
from servicekit.graphql.audit import audit_query
from servicekit.graphql.errors import DomainError, ErrorShaping, _is_data_exception
from servicekit.graphql.guards import InputGuard
from servicekit.graphql.scalars import SCALAR_OVERRIDES
from servicekit.metrics import operation_metrics

log = logging.getLogger(__name__)

# The newest federation version the gateway's composition (@theguild/federation-composition)
# understands; strawberry would default to a newer one.
FEDERATION_VERSION: Literal["2.9"] = "2.9"


# Serialization failure, deadlock, unique violation: another transaction won the race.
CONFLICT_STATES = {"40001", "40P01", "23505"}


def _sqlstate(exc: DBAPIError) -> str | None:
    return getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)


class OperationTracing(OpenTelemetryExtension):
    """Spans for the GraphQL operation, its parsing and validation, not one per resolved field:
    per-field spans cost about a quarter of a member list's CPU (py-spy, bench/) and drown the
    SQL spans that say where time goes. Depth and token limits are the gateway's: a subgraph
    answers only requests the gateway signed."""

    resolve = SchemaExtension.resolve  # type: ignore[assignment]


class TransactionBoundary(SchemaExtension):
    """Commit the request's transaction only if the whole operation succeeded.

    A mutation that fails half-way leaves nothing behind: any error rolls everything back,
    outbox rows included, so no event of a change that did not happen is ever published. If
    the commit itself fails (a conflicting concurrent change), the caller gets an error and no
    data, never a success for something that was not saved.
    """

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context.context
        result = self.execution_context.result
        failed = result is None or bool(getattr(result, "errors", None))
        try:
            await context.tx.finish(commit=not failed)
        except DBAPIError as exc:
            log.warning("commit failed: %s", exc.orig if exc.orig is not None else exc)
            if result is None:
                raise
            result.data = None
            conflict = _sqlstate(exc) in CONFLICT_STATES
            result.errors = [
                GraphQLError(
                    "The change conflicted with another change made at the same time; "
                    "nothing was saved. Try again."
                    if conflict
                    else "Internal error: the change could not be saved; nothing was saved.",
                    extensions={"code": "CONFLICT" if conflict else "INTERNAL_SERVER_ERROR"},
                )
            ]


class Schema(strawberry.federation.Schema):
    """Logs only what needs an operator: refusals (domain errors, invalid queries) are the
    caller's to read in the response, not stack traces in the service's log."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        unexpected = [
            e
            for e in errors
            if e.original_error is not None
            and not isinstance(e.original_error, (DomainError, GraphQLError))
            and not _is_data_exception(e.original_error)
        ]
        super().process_errors(unexpected, execution_context)


def make_schema(
    *,
    query: type,
    mutation: type | None = None,
    subscription: type | None = None,
    types: Sequence[type] = (),
    service: str | None = None,
) -> strawberry.federation.Schema:
    """The subgraph's schema; ``service`` (default: the package of ``query``) names the audit
    log field every subgraph gets (``<service>AuditLog``, servicekit.graphql.audit)."""
    # The service is the package that calls make_schema (``<service>.graphql.schema``); the
    # query type's own module is not reliable (a merged type is strawberry's).
    caller = sys._getframe(1).f_globals.get("__name__", "")
    name = service or caller.split(".")[0] or query.__module__.split(".")[0]
    merged = merge_types("Query", (query, audit_query(name)))
    return Schema(
        query=merged,
        mutation=mutation,
        subscription=subscription,
        types=list(types),
        federation_version=FEDERATION_VERSION,
        scalar_overrides=dict(SCALAR_OVERRIDES),
        extensions=[
            # First, so that it ends last: it records the outcome after the commit.
            MutationRecord,
            TransactionBoundary,
            ErrorShaping,
            InputGuard,
            OperationTracing,
            operation_metrics(name),
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
        ],
    )
