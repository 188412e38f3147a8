"""Ids in GraphQL arguments, and DataLoader results in key order."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TypeVar

from servicekit.graphql.errors import DomainError

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")


def parse_id(value: str, what: str = "") -> uuid.UUID:
    """A UUID from an ``ID`` argument, or a typed error naming what it should identify."""
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise DomainError(
            f"{value!r} is not a valid {what + ' ' if what else ''}id", code="BAD_USER_INPUT"
        ) from exc


def grouped(rows: Iterable[R], keys: Sequence[K], key: Callable[[R], K]) -> list[list[R]]:
    """Rows grouped under each of ``keys``, in the order of ``keys`` (a DataLoader's answer to
    a batch of one-to-many lookups); rows keep their order within a group."""
    groups: dict[K, list[R]] = {k: [] for k in keys}
    for row in rows:
        groups[key(row)].append(row)
    return [groups[k] for k in keys]
