"""Matters finance puts to a vote, and the decisions that come back. The one writer of
``matters``.

China-ASEAN Art.27: the secretariat prepares the budget and final accounts, the council
approves them, and confirms the accounting firm; AITISA Art.12(1): the chair's office meeting
approves a working group's budget. Finance never decides these itself: it publishes
``finance.matter.submitted`` and governance makes it a pending motion of the body the charter
names; only ``governance.motion.decided`` with ``passed`` for the same ``matterId`` approves
(PostgreSQL refuses an approval that has no passed matter behind it).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from charter.ids import MatterKind
from contracts.finance import MatterSubmitted
from contracts.governance import MotionDecided
from finance.kinds import MatterStatus
from finance.models import SOURCE, matters, outbox
from servicekit.errors import Conflict
from servicekit.events import Envelope, record_event

log = logging.getLogger(__name__)

FINANCE_MATTERS = frozenset(
    {
        MatterKind.BUDGET_APPROVAL,
        MatterKind.FINAL_ACCOUNTS_APPROVAL,
        MatterKind.AUDITOR_CONFIRMATION,
    }
)


async def submit(
    session: AsyncSession,
    *,
    alliance: uuid.UUID,
    kind: MatterKind,
    subject_id: uuid.UUID,
    fiscal_year: int,
    title_zh: str,
    title_en: str,
    submitted_by: str,
    working_group: uuid.UUID | None = None,
) -> uuid.UUID:
    """Put a matter to the deciding body: one pending matter per subject at a time."""
    pending = await session.scalar(
        sa.select(matters.c.id).where(
            matters.c.subject_id == subject_id,
            matters.c.kind == kind.value,
            matters.c.status == MatterStatus.PENDING.value,
        )
    )
    if pending is not None:
        raise Conflict("this is before the deciding body already", code="MATTER_PENDING")
    matter_id = uuid.uuid4()
    await session.execute(
        sa.insert(matters).values(
            id=matter_id,
            alliance_id=alliance,
            kind=kind.value,
            subject_id=subject_id,
            fiscal_year=fiscal_year,
            working_group_id=working_group,
            status=MatterStatus.PENDING.value,
            submitted_by=submitted_by,
        )
    )
    await record_event(
        session,
        outbox,
        MatterSubmitted(
            matter=kind,
            matter_id=matter_id,
            alliance_id=alliance,
            title_zh=title_zh,
            title_en=title_en,
            fiscal_year=fiscal_year,
            working_group_id=working_group,
        ),
        source=SOURCE,
        subject=matter_id,
        alliance_id=alliance,
    )
    return matter_id


async def record_decision(session: AsyncSession, event: MotionDecided) -> sa.Row[Any] | None:
    """Mark the matter decided; ``None`` when the motion is not about a pending finance
    matter (another service's, unknown, or decided already: a redelivery changes nothing)."""
    if event.matter not in FINANCE_MATTERS or event.matter_id is None:
        return None
    matter = (
        await session.execute(
            sa.select(matters).where(matters.c.id == event.matter_id).with_for_update()
        )
    ).first()
    if matter is None or matter.alliance_id != event.alliance_id:
        log.warning(
            "motion %s decided matter %s that finance did not submit",
            event.motion_id,
            event.matter_id,
        )
        return None
    if matter.status != MatterStatus.PENDING or matter.kind != event.matter.value:
        return None
    await session.execute(
        sa.update(matters)
        .where(matters.c.id == matter.id)
        .values(
            status=(MatterStatus.PASSED if event.passed else MatterStatus.FAILED).value,
            motion_id=event.motion_id,
            body=event.body.value,
            rule=event.rule,
            decided_on=event.decided_on,
            decided_at=sa.func.now(),
        )
    )
    return (await session.execute(sa.select(matters).where(matters.c.id == matter.id))).one()


async def on_motion_decided(
    session: AsyncSession, event: MotionDecided, envelope: Envelope
) -> None:
    # Imported here: each subject's module applies the decision to its own aggregate.
    from finance import audits, budgets, final_accounts

    matter = await record_decision(session, event)
    if matter is None:
        return
    apply = {
        MatterKind.BUDGET_APPROVAL.value: budgets.apply_decision,
        MatterKind.FINAL_ACCOUNTS_APPROVAL.value: final_accounts.apply_decision,
        MatterKind.AUDITOR_CONFIRMATION.value: audits.apply_decision,
    }[matter.kind]
    await apply(session, matter)


async def matters_of(
    session: AsyncSession, subject_ids: Sequence[uuid.UUID]
) -> list[list[sa.Row[Any]]]:
    rows = (
        await session.execute(
            sa.select(matters)
            .where(matters.c.subject_id.in_(subject_ids))
            .order_by(matters.c.submitted_at)
        )
    ).all()
    out: dict[uuid.UUID, list[sa.Row[Any]]] = {i: [] for i in subject_ids}
    for r in rows:
        out[r.subject_id].append(r)
    return [out[i] for i in subject_ids]
