"""The schema factory: a federation-2 schema with the extensions every subgraph uses."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Literal

import strawberry
from graphql import GraphQLError
from sqlalchemy.exc import DBAPIError
from strawberry.extensions import (
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.tracing import OpenTelemetryExtension
from strawberry.types import ExecutionContext

from servicekit.graphql.errors import DomainError, ErrorShaping

MAX_DEPTH = 15  # the gateway enforces its own (lower) limit; this guards direct misuse
# The newest federation version the gateway's composition (@theguild/federation-composition)
# understands; strawberry would default to a newer one.
FEDERATION_VERSION: Literal["2.9"] = "2.9"


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
            if result is None:
                raise
            result.data = None
            result.errors = [
                GraphQLError(
                    "The change conflicted with another change made at the same time; "
                    "nothing was saved. Try again.",
                    extensions={"code": "CONFLICT"},
                    original_error=exc,
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
        ]
        super().process_errors(unexpected, execution_context)


def make_schema(
    *,
    query: type,
    mutation: type | None = None,
    types: Sequence[type] = (),
) -> strawberry.federation.Schema:
    return Schema(
        query=query,
        mutation=mutation,
        types=list(types),
        federation_version=FEDERATION_VERSION,
        extensions=[
            TransactionBoundary,
            ErrorShaping,
            OpenTelemetryExtension,
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
            lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        ],
    )
