"""Typed GraphQL errors: a code and a human message, never a stack trace.

Domain code raises :class:`DomainError` (or a subclass); :class:`ErrorShaping` gives every error
in a response an ``extensions.code`` and replaces unexpected exceptions by a neutral message
that carries the trace id, so an operator can find the logged exception.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from opentelemetry import trace
from strawberry.extensions import SchemaExtension

log = logging.getLogger("servicekit.graphql")


class DomainError(Exception):
    """A refusal the caller can understand and act on."""

    code = "BAD_USER_INPUT"

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details


class NotFound(DomainError):
    code = "NOT_FOUND"


class Forbidden(DomainError):
    code = "FORBIDDEN"


class Conflict(DomainError):
    code = "CONFLICT"


def _code_for_unoriginal(error: GraphQLError) -> str:
    if error.message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    if error.message.startswith("Variable '$") or (error.path is None and error.original_error):
        return "BAD_USER_INPUT"
    return "GRAPHQL_VALIDATION_FAILED"


def shape_error(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if isinstance(original, DomainError):
        return GraphQLError(
            original.message,
            nodes=error.nodes,
            path=error.path,
            extensions={"code": original.code, **original.details},
        )
    if original is None or isinstance(original, GraphQLError) or error.path is None:
        if (error.extensions or {}).get("code"):
            return error
        return GraphQLError(
            error.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={**(error.extensions or {}), "code": _code_for_unoriginal(error)},
        )
    span = trace.get_current_span().get_span_context()
    trace_id = format(span.trace_id, "032x") if span.is_valid else None
    log.error("unexpected error at %s", error.path, exc_info=original)
    return GraphQLError(
        "Internal error: the request could not be completed."
        + (f" Reference: trace {trace_id}." if trace_id else ""),
        nodes=error.nodes,
        path=error.path,
        extensions={"code": "INTERNAL_SERVER_ERROR", **({"traceId": trace_id} if trace_id else {})},
    )


class ErrorShaping(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is not None and errors:
            result.errors = [shape_error(e) for e in errors]
