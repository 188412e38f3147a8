"""Domain errors: a refusal with a code the caller can act on and a human message.

Domain code raises these (never a GraphQL type); ``servicekit.graphql.errors`` turns them into
``extensions.code`` + message in a response.
"""

from __future__ import annotations

import errno
import socket
from typing import Any

from graphql import GraphQLError


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


UNAVAILABLE_STATES = ("08", "57P01", "57P02", "57P03")
"""SQLSTATEs of a database that cannot serve now: connection exceptions (class 08), and a
server shutting down or starting up (57P01-57P03)."""


NETWORK_ERRNOS = frozenset(
    {
        errno.ECONNREFUSED,
        errno.ECONNRESET,
        errno.ECONNABORTED,
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
        errno.ETIMEDOUT,
        errno.EPIPE,
    }
)


def is_unavailable(exc: BaseException) -> bool:
    """The database could not be reached or dropped the connection: nothing was done, and the
    same request may succeed in a moment."""
    import asyncpg
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    from servicekit.db import broken_connection

    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(
            current,
            ConnectionError
            | PoolTimeout
            | asyncpg.exceptions.CannotConnectNowError
            | asyncpg.exceptions.ConnectionDoesNotExistError
            | asyncpg.exceptions.ConnectionFailureError,
        ):
            return True
        if broken_connection(current):
            return True  # a connection the server dropped: nothing more happened on it
        state = getattr(current, "sqlstate", None) or getattr(current, "pgcode", None)
        if isinstance(state, str) and state.startswith(UNAVAILABLE_STATES):
            return True
        if isinstance(current, socket.gaierror) or (
            isinstance(current, OSError) and current.errno in NETWORK_ERRNOS
        ):
            return True  # a socket error on the way to the database (refused, unreachable)
        pending += [getattr(current, "orig", None), current.__cause__, current.__context__]
    return False


def unavailable_error(**where: Any) -> GraphQLError:
    """The typed answer while the database cannot be reached (``where``: nodes, path)."""
    return GraphQLError(
        "The service cannot reach its database right now; nothing was changed. "
        "Try again in a few seconds.",
        extensions={"code": "SERVICE_UNAVAILABLE", "retryable": True},
        **where,
    )
