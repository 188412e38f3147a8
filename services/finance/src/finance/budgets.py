"""Budgets (预算): the one writer of ``budgets`` and ``budget_lines``.

* An alliance's annual budget: the secretariat drafts it by line and submits it; the body the
  charter names (China-ASEAN Art.27: the council) approves it by a ``budget_approval`` motion.
* A working group's budget (AITISA Art.12(1)): the group prepares it in advance (提前) and
  submits it; the secretariat makes the preliminary review (初审); the chair's office meeting
  (理事长办公会) approves it, by the same motion path.

Approval happens only in :func:`apply_decision`, for a passed matter; the database refuses
``approved`` without one.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from charter.ids import MatterKind
from contracts.finance import BudgetCreated, BudgetDecided, BudgetReturned
from finance import matters as matter_book
from finance import working_groups as group_register
from finance.access import AllianceRef, find_alliance, may_keep
from finance.kinds import BudgetStatus, MatterStatus
from finance.models import SOURCE, Budget, KnownAlliance, accounts, budget_lines, funds, outbox
from finance.money import Currency
from servicekit.auth import Principal
from servicekit.errors import Conflict, DomainError, Forbidden, NotFound
from servicekit.events import record_event


async def _may_prepare(
    session: AsyncSession, actor: Principal, alliance: AllianceRef, working_group: uuid.UUID | None
) -> bool:
    """Those who keep the books prepare every budget (the charter's ``finance.managers``:
    China-ASEAN Art.27, AII's default, the secretariat); a working group's, also the person who
    holds its leader or a co-leader post (AITISA Art.12(1), Art.7(3)), by governance's record."""
    if await may_keep(session, actor, alliance):
        return True
    return working_group is not None and await group_register.leads(session, actor, working_group)


async def create_budget(
    session: AsyncSession,
    actor: Principal,
    *,
    alliance_slug: str,
    fiscal_year: int,
    currency: Currency,
    working_group: uuid.UUID | None = None,
    working_group_name: str | None = None,
) -> Budget:
    refused = Forbidden(
        f"only the secretariat of {alliance_slug}, or the group's leader or co-leader "
        "(AITISA Art.12(1)), prepares a budget"
    )
    if working_group is None and not actor.is_staff(alliance_slug):
        raise refused  # no role there that could: refused before anything of it is read
    alliance = await find_alliance(session, alliance_slug)
    if not await _may_prepare(session, actor, alliance, working_group):
        raise refused
    if not 2000 <= fiscal_year <= 2200:
        raise DomainError("the fiscal year must be between 2000 and 2200", field="fiscalYear")
    if working_group is not None:
        # the group's name as governance approved it (AITISA Art.4(3), Art.5), whatever the
        # caller wrote
        group = await group_register.approved_group(session, alliance.id, working_group)
        working_group_name = group.name_zh
    exists = await session.scalar(
        sa.select(Budget.id).where(
            Budget.alliance_id == alliance.id,
            Budget.fiscal_year == fiscal_year,
            Budget.working_group_id.is_(None)
            if working_group is None
            else Budget.working_group_id == working_group,
        )
    )
    if exists is not None:
        raise Conflict(
            f"{alliance.slug} has a budget for {fiscal_year} already", code="BUDGET_EXISTS"
        )
    budget = Budget(
        id=uuid.uuid4(),
        alliance_id=alliance.id,
        fiscal_year=fiscal_year,
        currency=currency.value,
        status=BudgetStatus.DRAFT.value,
        prepared_by=actor.user_id,
        working_group_id=working_group,
        working_group_name=working_group_name,
    )
    session.add(budget)
    await session.flush()
    await record_event(
        session,
        outbox,
        BudgetCreated(
            budget_id=budget.id,
            alliance_id=alliance.id,
            alliance_slug=alliance.slug,
            fiscal_year=fiscal_year,
            currency=currency.value,
            prepared_by=actor.user_id,
        ),
        source=SOURCE,
        subject=budget.id,
        alliance_id=alliance.id,
    )
    return budget


async def _budget_for_update(session: AsyncSession, budget_id: uuid.UUID) -> Budget:
    budget = await session.scalar(sa.select(Budget).where(Budget.id == budget_id).with_for_update())
    if budget is None:
        raise NotFound("there is no such budget")
    return budget


async def _slug(session: AsyncSession, alliance_id: uuid.UUID) -> str:
    slug = await session.scalar(
        sa.select(KnownAlliance.slug).where(KnownAlliance.id == alliance_id)
    )
    assert slug is not None
    return slug


async def set_line(
    session: AsyncSession,
    actor: Principal,
    *,
    budget_id: uuid.UUID,
    account: str,
    fund: str | None,
    minor: int,
    note: str | None,
) -> Budget:
    """Set (add or replace) the amount budgeted for one account (and fund) while drafting."""
    budget = await _budget_for_update(session, budget_id)
    slug = await _slug(session, budget.alliance_id)
    if not await _may_prepare(
        session, actor, AllianceRef(budget.alliance_id, slug), budget.working_group_id
    ):
        raise Forbidden(f"only the secretariat of {slug} prepares its budgets")
    if budget.status not in (BudgetStatus.DRAFT, BudgetStatus.REJECTED):
        raise DomainError(
            f"the budget is {budget.status}: lines change only while it is a draft",
            code="BUDGET_NOT_DRAFT",
        )
    account_row = (
        await session.execute(
            sa.select(accounts).where(
                accounts.c.alliance_id == budget.alliance_id, accounts.c.code == account
            )
        )
    ).first()
    if account_row is None:
        raise NotFound(f"there is no account {account!r}")
    if account_row.kind not in ("income", "expense"):
        raise DomainError("a budget line is an income or an expense account", field="account")
    fund_id = None
    if fund is not None:
        fund_row = (
            await session.execute(
                sa.select(funds).where(
                    funds.c.alliance_id == budget.alliance_id, funds.c.code == fund
                )
            )
        ).first()
        if fund_row is None:
            raise NotFound(f"there is no fund {fund!r}")
        if fund_row.currency != budget.currency:
            raise DomainError(
                f"the budget is in {budget.currency}; fund {fund} holds {fund_row.currency}",
                code="CURRENCY_MISMATCH",
            )
        fund_id = fund_row.id
    await session.execute(
        sa.delete(budget_lines).where(
            budget_lines.c.budget_id == budget.id,
            budget_lines.c.account_id == account_row.id,
            budget_lines.c.fund_id.is_(None)
            if fund_id is None
            else budget_lines.c.fund_id == fund_id,
        )
    )
    await session.execute(
        sa.insert(budget_lines).values(
            id=uuid.uuid4(),
            budget_id=budget.id,
            alliance_id=budget.alliance_id,
            account_id=account_row.id,
            fund_id=fund_id,
            amount_minor=minor,
            note=note,
        )
    )
    return budget


async def _has_lines(session: AsyncSession, budget_id: uuid.UUID) -> bool:
    count = await session.scalar(
        sa.select(sa.func.count())
        .select_from(budget_lines)
        .where(budget_lines.c.budget_id == budget_id)
    )
    return bool(count)


def _titles(budget: Budget, slug: str) -> tuple[str, str]:
    if budget.working_group_id is not None:
        return (
            f"{budget.working_group_name} {budget.fiscal_year}年度财务预算",
            f"Budget {budget.fiscal_year} of working group {budget.working_group_name}",
        )
    return (f"{slug} {budget.fiscal_year}年度经费预算", f"{slug} budget {budget.fiscal_year}")


async def submit(
    session: AsyncSession, actor: Principal, *, budget_id: uuid.UUID, today: date
) -> Budget:
    """The annual budget goes to the council as a ``budget_approval`` matter. A working
    group's budget goes to the secretariat for its preliminary review (AITISA Art.12(1)),
    in advance: before its fiscal year has ended."""
    budget = await _budget_for_update(session, budget_id)
    slug = await _slug(session, budget.alliance_id)
    if not await _may_prepare(
        session, actor, AllianceRef(budget.alliance_id, slug), budget.working_group_id
    ):
        raise Forbidden(f"only the secretariat of {slug} submits its budgets")
    if budget.status not in (BudgetStatus.DRAFT, BudgetStatus.REJECTED):
        raise DomainError(f"the budget is {budget.status} already", code="BUDGET_NOT_DRAFT")
    if not await _has_lines(session, budget.id):
        raise DomainError("a budget has at least one line", code="BUDGET_EMPTY")
    if budget.working_group_id is not None:
        if budget.fiscal_year < today.year:
            raise DomainError(
                "a working group's budget is submitted in advance (AITISA Art.12(1) 提前进行"
                f"财务预算); {budget.fiscal_year} is over",
                code="BUDGET_NOT_IN_ADVANCE",
            )
        budget.status = BudgetStatus.SUBMITTED.value
        return budget
    title_zh, title_en = _titles(budget, slug)
    matter = await matter_book.submit(
        session,
        alliance=budget.alliance_id,
        kind=MatterKind.BUDGET_APPROVAL,
        subject_id=budget.id,
        fiscal_year=budget.fiscal_year,
        title_zh=title_zh,
        title_en=title_en,
        submitted_by=actor.user_id,
    )
    budget.status = BudgetStatus.SUBMITTED.value
    budget.approval_matter_id = matter
    return budget


async def review(
    session: AsyncSession,
    actor: Principal,
    *,
    budget_id: uuid.UUID,
    forward: bool,
    reason: str | None,
    today: date,
) -> Budget:
    """The secretariat's preliminary review of a working group's budget (AITISA Art.12(1)):
    forwarded to the chair's office meeting as a ``budget_approval`` matter, or returned."""
    budget = await _budget_for_update(session, budget_id)
    slug = await _slug(session, budget.alliance_id)
    if not (actor.operator or actor.has_role(slug, "secretariat")):
        # not an officer's: the chair's office approves afterwards, it does not review first
        raise Forbidden("the secretariat makes the preliminary review (AITISA Art.12(1))")
    if budget.working_group_id is None:
        raise DomainError("only a working group's budget has a preliminary review")
    if budget.status != BudgetStatus.SUBMITTED:
        raise DomainError(
            f"the budget is {budget.status}, not submitted", code="BUDGET_NOT_SUBMITTED"
        )
    budget.reviewed_by = actor.user_id
    if not forward:
        reasons = (reason or "").strip()
        if not reasons:
            raise DomainError("a budget returned to its group says why", field="reason")
        budget.status = BudgetStatus.DRAFT.value
        budget.returned_reasons = reasons
        await session.flush()
        await record_event(
            session,
            outbox,
            BudgetReturned(
                alliance_id=budget.alliance_id,
                budget_id=budget.id,
                fiscal_year=budget.fiscal_year,
                working_group_id=budget.working_group_id,
                working_group_name=budget.working_group_name or "",
                reasons=reasons,
                returned_by=actor.user_id,
                returned_on=today,
                recipients=await _group_people(session, budget),
            ),
            source=SOURCE,
            subject=budget.id,
            alliance_id=budget.alliance_id,
        )
        return budget
    title_zh, title_en = _titles(budget, slug)
    matter = await matter_book.submit(
        session,
        alliance=budget.alliance_id,
        kind=MatterKind.BUDGET_APPROVAL,
        subject_id=budget.id,
        fiscal_year=budget.fiscal_year,
        title_zh=title_zh,
        title_en=title_en,
        submitted_by=actor.user_id,
        working_group=budget.working_group_id,
    )
    budget.status = BudgetStatus.REVIEWED.value
    budget.approval_matter_id = matter
    return budget


async def _group_people(session: AsyncSession, budget: Budget) -> list[str]:
    """Whom a group's budget concerns: its leader and co-leaders, and who prepared it."""
    if budget.working_group_id is None:
        return []
    holders = await group_register.post_holders(session, budget.working_group_id)
    return sorted({*holders, budget.prepared_by})


async def apply_decision(session: AsyncSession, matter: sa.Row[Any]) -> None:
    budget = await _budget_for_update(session, matter.subject_id)
    passed = matter.status == MatterStatus.PASSED
    budget.approval_matter_id = matter.id
    budget.status = (BudgetStatus.APPROVED if passed else BudgetStatus.REJECTED).value
    if passed:
        budget.approved_at = sa.func.now()
    await session.flush()
    await record_event(
        session,
        outbox,
        BudgetDecided(
            alliance_id=budget.alliance_id,
            matter_id=matter.id,
            motion_id=matter.motion_id,
            fiscal_year=budget.fiscal_year,
            approved=passed,
            rule=matter.rule or "",
            budget_id=budget.id,
            working_group_id=budget.working_group_id,
            working_group_name=budget.working_group_name,
            recipients=await _group_people(session, budget),
        ),
        source=SOURCE,
        subject=budget.id,
        alliance_id=budget.alliance_id,
    )
