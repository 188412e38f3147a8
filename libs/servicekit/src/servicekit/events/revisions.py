"""State kept from another service's events, which can arrive out of order.

A consumer keeps one aggregate's events in order within a batch only (a retried event comes
back after later ones; two replicas fetch different batches). An event that carries the whole
state of its aggregate with a revision (``MemberEvent.revision``) is applied only when it is
newer than the state a row holds; an older one changes nothing.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.elements import ColumnElement


def newer(
    held: ColumnElement[Any] | QueryableAttribute[Any], revision: int | None
) -> ColumnElement[bool]:
    """SQL: an event of ``revision`` is newer than the revision a row holds in ``held``.

    An event without a revision (published before there was one) and a row without one
    (kept before) count as newer: they are applied as they were before revisions."""
    if revision is None:
        return sa.true()
    return sa.or_(held.is_(None), held < revision)
