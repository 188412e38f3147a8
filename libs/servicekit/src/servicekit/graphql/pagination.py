"""Relay-style cursor connections (``edges { cursor node }``, ``pageInfo``, ``totalCount``).

Cursors are opaque: base64 of the keyset values of the row they point at, so a page is found
with an index seek (``WHERE (sort, id) > cursor``) rather than an OFFSET scan.

A cursor comes back from the client, so it is input like any other: :func:`decode_cursor`
checks its shape and the type of every value (``KEY_TEXT``, ``KEY_UUID``, ``KEY_TIME`` …)
before any of it can reach a query, and answers anything else with ``BAD_CURSOR``.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
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


def KEY_TEXT(value: str) -> object:
    """A text key: any string PostgreSQL can store (no NUL)."""
    if "\x00" in value:
        raise ValueError("NUL in a text key")
    value.encode("utf-8")  # lone surrogates cannot be stored either
    return value


def KEY_UUID(value: str) -> object:
    return uuid.UUID(value)


def KEY_TIME(value: str) -> object:
    """A timestamp key (ISO 8601 with its offset, as :func:`encode_cursor` writes it)."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("a timestamp key has an offset")
    return moment


def KEY_INT(value: str) -> object:
    number = int(value)
    if not -(2**63) <= number < 2**63:
        raise ValueError("out of range")
    return number


KeyKind = Callable[[str], object]


def decode_cursor(cursor: str, kinds: int | Sequence[KeyKind]) -> list[str]:
    """The keyset values of a cursor this API gave out, as strings, each checked to be of its
    kind (``kinds``: one of ``KEY_TEXT``, ``KEY_UUID``, ``KEY_TIME``, ``KEY_INT`` per value; a
    number means that many text keys). Anything else is refused with ``BAD_CURSOR``."""
    spec: Sequence[KeyKind] = [KEY_TEXT] * kinds if isinstance(kinds, int) else kinds
    refusal = DomainError("this cursor is not one this API gave out", code="BAD_CURSOR")
    if not isinstance(cursor, str) or len(cursor) > 4096:
        raise refusal
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise refusal from exc
    if not isinstance(values, list) or len(values) != len(spec):
        raise refusal
    if not all(isinstance(v, str) for v in values):
        raise refusal
    for value, kind in zip(values, spec, strict=True):
        try:
            KEY_TEXT(value)
            kind(value)
        except (ValueError, TypeError, OverflowError, UnicodeEncodeError) as exc:
            raise refusal from exc
    return list(values)


def selects(info: Any, *names: str) -> bool:
    """Whether the query asks the field being resolved for any of ``names`` (GraphQL names,
    through fragments too): a connection counts its rows only if ``totalCount`` or a total is
    asked for, not on every page."""
    from strawberry.types.nodes import FragmentSpread, InlineFragment

    wanted = set(names)
    pending = [s for field in info.selected_fields for s in field.selections]
    while pending:
        selection = pending.pop()
        if isinstance(selection, (FragmentSpread, InlineFragment)):
            pending.extend(selection.selections)
        elif selection.name in wanted:
            return True
    return False


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
