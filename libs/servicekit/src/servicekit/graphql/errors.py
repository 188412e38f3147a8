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

from servicekit.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    describe,
    is_unavailable,
    unavailable_error,
)

__all__ = ["Conflict", "DomainError", "ErrorShaping", "Forbidden", "NotFound", "shape_error"]

log = logging.getLogger("servicekit.graphql")


def _code_for_unoriginal(error: GraphQLError) -> str:
    if error.message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    if error.message.startswith("Variable '$") or (error.path is None and error.original_error):
        return "BAD_USER_INPUT"
    return "GRAPHQL_VALIDATION_FAILED"


def _is_data_exception(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", None)
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if state is None and orig is not None:
        state = getattr(getattr(orig, "__cause__", None), "sqlstate", None)
    return isinstance(state, str) and state.startswith("22")


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
    if _is_data_exception(original):
        # A value PostgreSQL refused as data (SQLSTATE class 22: invalid text, out of range,
        # too long). Input checks should have caught it before the database (InputGuard,
        # decode_cursor); this is the net under them, and it is logged to be found and fixed.
        log.warning("input refused by the database at %s: %s", error.path, original)
        return GraphQLError(
            "Not accepted: a value in this request cannot be stored as given.",
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "BAD_USER_INPUT"},
        )
    if is_unavailable(original):
        log.warning("database unavailable at %s: %s", error.path, describe(original))
        return unavailable_error(nodes=error.nodes, path=error.path)
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

    def on_stream_result(self, result: Any) -> Iterator[None]:
        """Each result of a subscription, shaped the same way before it is sent."""
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = [shape_error(e) for e in errors]
        yield
