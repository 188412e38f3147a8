"""Input every subgraph refuses before a resolver runs: one place for every service's arguments.

PostgreSQL cannot store U+0000 in text, and no UTF-8 encoder can write a lone surrogate
(``"\\ud800"`` is valid JSON): either, anywhere in an argument, would reach the database and
come back as an internal error. :class:`InputGuard` walks the operation's string literals and
its variables (every input of every field of every service, present and future, since it
looks at the request rather than at a list of fields) and answers ``BAD_USER_INPUT`` naming
where the character is, before anything executes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import ExecutionResult, GraphQLError, StringValueNode, visit
from graphql.language import Visitor
from strawberry.extensions import SchemaExtension


def bad_text(value: str) -> str | None:
    """Why ``value`` cannot be stored as text, or None."""
    if "\x00" in value:
        return "contains a NUL character (U+0000)"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a lone UTF-16 surrogate, which is not a character"
    return None


def _walk(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        problem = bad_text(value)
        if problem:
            yield path, problem
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and (problem := bad_text(key)):
                yield f"{path}.<key>", problem
            yield from _walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]")


class _Literals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        problem = bad_text(node.value)
        if problem:
            self.found.append(problem)


def input_problems(document: Any, variables: dict[str, Any] | None) -> list[str]:
    problems = [f"variable ${p[1:]} {why}" for p, why in _walk(variables or {}, "")]
    if document is not None:
        literals = _Literals()
        visit(document, literals)
        problems += [f"a string in the query {why}" for why in literals.found]
    return problems


class InputGuard(SchemaExtension):
    """Refuses (``BAD_USER_INPUT``) an operation with text that cannot be stored."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        problems = input_problems(context.graphql_document, context.variables)
        if problems:
            context.result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        f"Not accepted: {problems[0]}.",
                        extensions={"code": "BAD_USER_INPUT"},
                    )
                ],
            )
        yield
