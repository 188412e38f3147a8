"""The money rules of each alliance's charter, as finance runs by them: the ``finance`` part of
the version in force, kept from membership's charter events (``membership.charter.adopted``,
``membership.charter.amended``). The one writer of ``charter_rules``.

Finance needs three things from it: who keeps the books (``finance.managers``: China-ASEAN
Art.27 the secretariat, with its host organisation's finance department; AII and AITISA the
secretariat, AII by default, AITISA Art.12(1)), whether the charter provides for an audit at all
(China-ASEAN Art.27 does; the AII and AITISA texts do not), and to whom an audit is reported.
A later amendment of the finance rules takes effect here when membership records it.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from charter.model import Finance
from contracts.membership import CharterAdopted, CharterAmended
from finance.models import charter_rules
from servicekit.auth.claims import ROLES
from servicekit.events import Envelope

DEFAULT_KEEPERS = frozenset({"secretariat"})
"""Until the charter arrives (it follows the alliance's creation by a moment), the books are the
secretariat's, as in every seed charter."""

_PARSED: dict[tuple[uuid.UUID, int], Finance] = {}
"""Parsed finance rules by (alliance, charter version): a recorded version never changes."""


async def on_charter(
    session: AsyncSession, event: CharterAdopted | CharterAmended, envelope: Envelope
) -> None:
    """Keep the newest version's finance rules; an older version arriving late changes nothing."""
    document: dict[str, Any] = event.charter.get("finance") or {}
    statement = insert(charter_rules).values(
        alliance_id=event.alliance_id, charter_version=event.version, finance=document
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[charter_rules.c.alliance_id],
            set_={"charter_version": event.version, "finance": document},
            where=charter_rules.c.charter_version < statement.excluded.charter_version,
        )
    )


async def finance_rules(session: AsyncSession, alliance: uuid.UUID) -> Finance | None:
    """The finance rules of the alliance's charter in force (None: not received yet)."""
    row = (
        await session.execute(
            sa.select(charter_rules.c.charter_version, charter_rules.c.finance).where(
                charter_rules.c.alliance_id == alliance
            )
        )
    ).first()
    if row is None:
        return None
    key = (alliance, row.charter_version)
    found = _PARSED.get(key)
    if found is None:
        found = _PARSED[key] = Finance.model_validate(row.finance)
    return found


def keepers(rules: Finance | None) -> frozenset[str]:
    """The roles that keep the books: the charter's ``finance.managers`` that a person can hold
    (a host organisation's finance department acts through the secretariat's staff)."""
    if rules is None:
        return DEFAULT_KEEPERS
    named = frozenset(rules.managers) & frozenset(ROLES)
    return named or DEFAULT_KEEPERS
