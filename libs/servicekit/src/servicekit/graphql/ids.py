"""Ids in GraphQL arguments, and DataLoader results in key order."""

from __future__ import annotations

import uuid

from servicekit.errors import DomainError
from servicekit.queries import grouped

__all__ = ["grouped", "parse_id"]


def parse_id(value: str, what: str = "") -> uuid.UUID:
    """A UUID from an ``ID`` argument, or a typed error naming what it should identify."""
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise DomainError(
            f"{value!r} is not a valid {what + ' ' if what else ''}id", code="BAD_USER_INPUT"
        ) from exc
