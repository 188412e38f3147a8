"""Domain errors: a refusal with a code the caller can act on and a human message.

Domain code raises these (never a GraphQL type); ``servicekit.graphql.errors`` turns them into
``extensions.code`` + message in a response.
"""

from __future__ import annotations

from typing import Any


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


def describe(exc: BaseException) -> str:
    """What failed, for a log line: the exception's type, and its message when it has one
    (nats-py raises some errors with an empty text)."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
