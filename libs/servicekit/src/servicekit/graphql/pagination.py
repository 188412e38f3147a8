"""Relay-style cursor connections (``edges { cursor node }``, ``pageInfo``, ``totalCount``).

Cursors are opaque: base64 of the keyset values of the row they point at, so a page is found
with an index seek (``WHERE (sort, id) > cursor``) rather than an OFFSET scan.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry

from servicekit.graphql.errors import DomainError

T = TypeVar("T")
MAX_PAGE = 200


@strawberry.federation.type(shareable=True, description="Relay page information.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int


C = TypeVar("C", bound="Connection[Any]")


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([str(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, width: int) -> list[str]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError as exc:
        raise DomainError("this cursor is not one this API gave out", code="BAD_CURSOR") from exc
    if not isinstance(values, list) or len(values) != width:
        raise DomainError("this cursor is not one this API gave out", code="BAD_CURSOR")
    return [str(v) for v in values]


def check_page_size(first: int) -> int:
    if first < 1 or first > MAX_PAGE:
        raise DomainError(
            f"'first' must be between 1 and {MAX_PAGE}", code="BAD_USER_INPUT", argument="first"
        )
    return first


def build_connection(
    rows: Sequence[Any],
    *,
    first: int,
    after: str | None,
    total: int,
    keyset: Callable[[Any], Sequence[Any]],
    node: Callable[[Any], T],
    connection: type[C] = Connection,  # type: ignore[assignment]
    **extra: Any,
) -> C:
    """A page from ``rows``, which were fetched with ``LIMIT first + 1`` to see if more follow.

    ``connection`` is a subclass of :class:`Connection` with ``extra`` fields (totals …).
    """
    page = list(rows[:first])
    edges = [Edge(cursor=encode_cursor(keyset(r)), node=node(r)) for r in page]
    return connection(
        **extra,
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > first,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=total,
    )
