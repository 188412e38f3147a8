"""Funds: the unrestricted fund and earmarked funds (专款专用, China-ASEAN Art.27), each its
own self-balancing set of accounts (专账管理): every entry balances within each fund, so each
fund is a separate ledger with its own balance. The one writer of ``funds`` (balances move only
through postings, by the trigger in the migration).

* Government grants follow the state's rules on such funds (Art.26): the fund records which.
* R&D project money is spent by the agreed contributions and shares (Art.26): the shares are
  recorded with the fund and must add up to exactly one.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from finance import money
from finance.kinds import ExpenseUse, FundSource, Restriction
from finance.models import funds
from finance.money import Currency
from servicekit.errors import Conflict, DomainError

CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")


@dataclass(frozen=True)
class Share:
    party: str
    share: Decimal


async def create_fund(
    session: AsyncSession,
    *,
    alliance: uuid.UUID,
    code: str,
    name_zh: str,
    name_en: str,
    source: FundSource,
    purposes: Sequence[ExpenseUse],
    currency: Currency,
    purpose_text: str | None = None,
    rules: str | None = None,
    shares: Sequence[Share] = (),
) -> sa.Row[Any]:
    if not CODE.match(code):
        raise DomainError("a fund code is 2-40 lower-case letters, digits or hyphens", field="code")
    if not name_zh.strip():
        raise DomainError("a fund has a Chinese name", field="nameZh")
    restriction = (
        Restriction.UNRESTRICTED if source is FundSource.GENERAL else Restriction.EARMARKED
    )
    if restriction is Restriction.EARMARKED and not purposes:
        raise DomainError(
            "an earmarked fund names the uses it pays for (China-ASEAN Art.27 专款专用)",
            code="FUND_PURPOSE",
            field="purposes",
        )
    if source is FundSource.GOVERNMENT_GRANT and not (rules or "").strip():
        raise DomainError(
            "government money follows the state's rules on such funds (China-ASEAN Art.26): "
            "name the rules (e.g. the grant agreement and its management measures)",
            field="rules",
        )
    if source is FundSource.RND_PROJECT:
        for s in shares:
            money.exact(s.share, field="shares", code="BAD_USER_INPUT")
        total = sum((s.share for s in shares), Decimal(0))
        if not shares or total != 1 or any(s.share <= 0 for s in shares):
            raise DomainError(
                "R&D project money is spent by the agreed shares (China-ASEAN Art.26): give "
                f"each party's share, each above zero and together exactly 1 (got {total})",
                field="shares",
            )
    elif shares:
        raise DomainError("only R&D project funds have agreed shares", field="shares")
    exists = await session.scalar(
        sa.select(funds.c.id).where(funds.c.alliance_id == alliance, funds.c.code == code)
    )
    if exists is not None:
        raise Conflict(f"there is a fund {code!r} already", code="FUND_EXISTS")
    fund_id = uuid.uuid4()
    await session.execute(
        sa.insert(funds).values(
            id=fund_id,
            alliance_id=alliance,
            code=code,
            name_zh=name_zh,
            name_en=name_en,
            restriction=restriction.value,
            source=source.value,
            purposes=sorted({p.value for p in purposes}),
            purpose_text=purpose_text,
            rules=rules,
            shares=[{"party": s.party, "share": str(s.share)} for s in shares],
            currency=currency.value,
            balance_minor=0,
            version=0,
        )
    )
    row = (await session.execute(sa.select(funds).where(funds.c.id == fund_id))).one()
    return row


async def funds_of(session: AsyncSession, alliance: uuid.UUID) -> list[sa.Row[Any]]:
    return list(
        (
            await session.execute(
                sa.select(funds).where(funds.c.alliance_id == alliance).order_by(funds.c.code)
            )
        ).all()
    )
