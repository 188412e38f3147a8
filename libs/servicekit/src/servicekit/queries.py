"""Reads every service makes the same way: rows by id, a keyset page, one-to-many grouping.

Written here once so the services' query modules only say *what* they read. SQLAlchemy has no
keyset pagination of its own (``sqlakeyset`` is sync-only and would not fit our cursors), and
the grouping is the few lines a DataLoader's batch needs.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")
T = TypeVar("T")


async def rows_by_id(
    session: AsyncSession, model: type[T], ids: Sequence[Any], *, lock: bool = False
) -> list[T | None]:
    """The rows of ``model`` with these primary keys, in the order of ``ids`` (None where a
    row is missing or invisible): one statement for a DataLoader's whole batch. ``lock``
    takes ``FOR UPDATE`` on them (for a command that changes them)."""
    key = sa.inspect(model).primary_key[0]  # type: ignore[union-attr]
    query = sa.select(model).where(key.in_(ids))
    rows = (await session.scalars(query.with_for_update() if lock else query)).all()
    found = {getattr(r, key.key): r for r in rows}
    return [found.get(i) for i in ids]


def grouped(rows: Iterable[R], keys: Sequence[K], key: Callable[[R], K]) -> list[list[R]]:
    """Rows grouped under each of ``keys``, in the order of ``keys`` (a DataLoader's answer to
    a batch of one-to-many lookups); rows keep their order within a group."""
    groups: dict[K, list[R]] = {k: [] for k in keys}
    for row in rows:
        groups[key(row)].append(row)
    return [groups[k] for k in keys]


async def keyset_rows(
    session: AsyncSession,
    model: type[T],
    where: Sequence[sa.ColumnElement[bool]],
    *,
    order: Sequence[sa.ColumnElement[Any] | InstrumentedAttribute[Any]],
    after: Sequence[Any] | None,
    first: int,
    descending: bool = False,
) -> Sequence[T]:
    """``first + 1`` rows after the keyset cursor ``after`` (the values of ``order`` of the
    last row seen): one index range scan, never an OFFSET scan."""
    query = sa.select(model).where(*where)
    if after is not None:
        cursor = sa.tuple_(*(sa.literal(v) for v in after))
        position = sa.tuple_(*order)
        query = query.where(position < cursor if descending else position > cursor)
    ordering = [c.desc() for c in order] if descending else list(order)
    return (await session.scalars(query.order_by(*ordering).limit(first + 1))).all()


async def keyset_page(
    session: AsyncSession,
    model: type[T],
    where: Sequence[sa.ColumnElement[bool]],
    *,
    order: Sequence[sa.ColumnElement[Any] | InstrumentedAttribute[Any]],
    after: Sequence[Any] | None,
    first: int,
    descending: bool = False,
) -> tuple[Sequence[T], int]:
    """:func:`keyset_rows` and the total under ``where``: two statements whatever the page
    size (an index range scan and a count)."""
    rows = await keyset_rows(
        session, model, where, order=order, after=after, first=first, descending=descending
    )
    total = await session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))
    return rows, int(total or 0)
