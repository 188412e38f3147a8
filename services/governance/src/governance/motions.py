"""Motions: a matter a body has the power to decide, in the stages its charter's procedure sets.

A motion is of one kind of matter (GLOSSARY). Its body must have the power to decide it (the
charter's powers; AII Art.24: the standing council only for Art.22(1), (5), (8), (9), (10)).
Where the charter has a procedure for the matter, its voting steps become the motion's stages,
in order (AII charter amendment: council, then general assembly, Art.27; AII dissolution:
council or standing council, then assembly, then the steering committee's consent,
Art.28–29); otherwise the motion has one stage.

Applications (admission, withdrawal, expulsion, change of tier) become motions only when
membership forwards them (``membership.application.forwarded``): nobody can put an
application to a vote that the secretariat did not forward. Finance's matters (budgets, final
accounts, auditors) arrive as ``finance.matter.submitted``. A redelivered event makes no
second motion (the inbox, and a unique origin event id).

One writer: this module is the only one that creates ``motions`` and their ``stages``; the
votes module moves them on.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

import charter
from charter.ids import BodyId, MatterKind
from contracts.finance import MatterSubmitted
from contracts.membership import ApplicationForwarded
from governance import charters
from governance.meetings import body_rules
from governance.models import Motion, Stage
from servicekit.events import Envelope
from servicekit.graphql import DomainError

APPLICATION_MATTERS = frozenset(
    {MatterKind.ADMISSION, MatterKind.WITHDRAWAL, MatterKind.EXPULSION, MatterKind.TIER_CHANGE}
)
FINANCE_MATTERS = frozenset(
    {
        MatterKind.BUDGET_APPROVAL,
        MatterKind.FINAL_ACCOUNTS_APPROVAL,
        MatterKind.AUDITOR_CONFIRMATION,
    }
)


def _powers_text(rules: charter.Charter, body: str) -> str:
    items = [p for p in rules.powers_of(body) if p.matters]
    return "; ".join(f"{p.source}: {', '.join(m.value for m in p.matters)}" for p in items)


def plan_stages(
    rules: charter.Charter, body: str, matter: MatterKind, procedure: str | None = None
) -> tuple[str | None, list[dict[str, Any]]]:
    """The procedure and the stages of a motion of ``matter`` moved in ``body`` (by the
    charter's first procedure for the matter, unless ``procedure`` names another: AITISA
    Art.6 has two ways to dissolve a working group).

    Raises ``NOT_IN_POWERS`` when the body may not decide the matter (nor take its first step).
    """
    body_rules(rules, body)
    if procedure is None:
        procedure = next(
            (
                pid
                for pid, p in rules.procedures.items()
                if p.matter is matter and rules.voting_steps(pid)
            ),
            None,
        )
    if procedure is not None:
        steps = rules.voting_steps(procedure)
        first = steps[0][0]
        if body not in first.by:
            raise DomainError(
                f"{rules.short_name}: the first vote on {matter.value} is the "
                f"{' or '.join(first.by)}'s ({first.source}), not the {body}'s",
                code="NOT_IN_POWERS",
            )
        stages = []
        for index, (step, _rule) in enumerate(steps):
            chosen = body if index == 0 else step.by[0]
            stages.append(
                {
                    "index": index,
                    "step": step.id,
                    "body": chosen,
                    "alternatives": [str(b) for b in step.by] if index else [body],
                    "stage_matter": (step.matter or matter).value,
                    "source": step.source,
                }
            )
        return procedure, stages
    if not rules.may_decide(body, matter):
        raise DomainError(
            f"{rules.short_name}: the {body} has no power to decide {matter.value} "
            f"(its powers: {_powers_text(rules, body) or 'none'})",
            code="NOT_IN_POWERS",
        )
    rule = rules.rule_for(body, matter)
    return None, [
        {
            "index": 0,
            "step": "vote",
            "body": body,
            "alternatives": [body],
            "stage_matter": matter.value,
            "source": rule.source,
        }
    ]


async def _create(
    session: AsyncSession,
    *,
    alliance_id: uuid.UUID,
    rules: charter.Charter,
    body: str,
    matter: MatterKind,
    title: str,
    matter_id: uuid.UUID | None,
    changes: list[dict[str, Any]],
    origin: str,
    origin_event_id: uuid.UUID | None,
    proposed_by: str,
    procedure: str | None = None,
) -> Motion | None:
    procedure, stages = plan_stages(rules, body, matter, procedure)
    motion_id = uuid.uuid4()
    inserted = (
        await session.execute(
            insert(Motion)
            .values(
                id=motion_id,
                alliance_id=alliance_id,
                title=title,
                matter=matter.value,
                matter_id=matter_id,
                procedure=procedure,
                changes=changes,
                status="pending",
                origin=origin,
                origin_event_id=origin_event_id,
                proposed_by=proposed_by,
            )
            .on_conflict_do_nothing()
            .returning(Motion.id)
        )
    ).first()
    if inserted is None:
        return None  # this event made its motion already
    for stage in stages:
        session.add(
            Stage(
                id=uuid.uuid4(),
                alliance_id=alliance_id,
                motion_id=motion_id,
                status="pending",
                **stage,
            )
        )
    await session.flush()
    return await session.get(Motion, motion_id)


async def propose(
    session: AsyncSession,
    *,
    alliance_id: uuid.UUID,
    body: str,
    matter: MatterKind,
    title: str,
    changes: Sequence[tuple[str, Any]],
    proposed_by: str,
) -> Motion:
    """A motion put forward on the platform by the secretariat or an officer."""
    if matter in APPLICATION_MATTERS:
        raise DomainError(
            f"a vote on {matter.value} is on an application membership forwarded: it becomes a "
            "pending motion by itself once the secretariat forwards it",
            code="NOT_FORWARDED",
        )
    if matter in FINANCE_MATTERS:
        raise DomainError(
            f"a vote on {matter.value} is on a matter finance submits: it becomes a pending "
            "motion by itself once finance submits it",
            code="NOT_SUBMITTED",
        )
    if body == "working_group" or matter in WORKING_GROUP_MATTERS:
        raise DomainError(
            "a working group's matters are moved for one group (proposeWorkingGroupMotion, "
            "applyForWorkingGroup, moveWorkingGroupDissolution; AITISA Art.4-6)",
            code="GROUP_MOTION",
        )
    if not title.strip():
        raise DomainError("a motion needs a title")
    _, rules = await charters.in_force(session, alliance_id)
    if matter is MatterKind.CHARTER_AMENDMENT:
        if not changes:
            raise DomainError(
                "a charter amendment names its changes (dotted paths and values)",
                code="BAD_CHANGES",
            )
        try:
            charter.amend(rules, dict(changes), note=title)
        except charter.CharterError as exc:
            raise DomainError(
                f"the proposed change does not make a valid charter: {exc}", code="BAD_CHANGES"
            ) from exc
    elif changes:
        raise DomainError("only a charter amendment carries changes", code="BAD_CHANGES")
    motion = await _create(
        session,
        alliance_id=alliance_id,
        rules=rules,
        body=body,
        matter=matter,
        title=title.strip(),
        matter_id=None,
        changes=[{"path": p, "new": v} for p, v in changes],
        origin=f"proposed by {proposed_by}",
        origin_event_id=None,
        proposed_by=proposed_by,
    )
    assert motion is not None
    return motion


async def on_application_forwarded(
    session: AsyncSession, event: ApplicationForwarded, envelope: Envelope
) -> None:
    """A forwarded application becomes a pending motion of the body that decides it."""
    _, rules = await charters.in_force(session, event.alliance_id)
    matter = event.matter or MatterKind(event.kind.value)
    open_already = await session.scalar(
        sa.select(Motion.id).where(
            Motion.alliance_id == event.alliance_id,
            Motion.matter_id == event.application_id,
            Motion.status.in_(("pending", "open")),
        )
    )
    if open_already is not None:
        return
    deciders = [d.value for d in event.deciders] or [
        b.value for b in rules.bodies if rules.may_decide(b, matter)
    ]
    body = next((d for d in deciders if _can_plan(rules, d, matter)), None)
    if body is None:
        raise LookupError(f"no body of {rules.slug} can decide {matter.value}")
    name = event.organization_name_zh
    await _create(
        session,
        alliance_id=event.alliance_id,
        rules=rules,
        body=body,
        matter=matter,
        title=f"{name}: {matter.value}" + (f" ({event.tier.value})" if event.tier else ""),
        matter_id=event.application_id,
        changes=[],
        origin=f"membership.application.forwarded {envelope.id}",
        origin_event_id=envelope.id,
        proposed_by="membership",
    )


def _can_plan(rules: charter.Charter, body: str, matter: MatterKind) -> bool:
    try:
        plan_stages(rules, body, matter)
    except (DomainError, charter.RuleNotFound):
        return False
    return True


async def on_finance_matter(
    session: AsyncSession, event: MatterSubmitted, envelope: Envelope
) -> None:
    """Finance's budget, final accounts or auditor becomes a pending motion of its approver."""
    _, rules = await charters.in_force(session, event.alliance_id)
    duty = {
        MatterKind.BUDGET_APPROVAL: rules.finance.budget,
        MatterKind.FINAL_ACCOUNTS_APPROVAL: rules.finance.final_accounts,
    }.get(event.matter)
    if event.working_group_id is not None and rules.finance.working_group_budget is not None:
        duty = rules.finance.working_group_budget
    candidates = [str(a) for a in (duty.approved_by if duty else [])]
    if event.matter is MatterKind.AUDITOR_CONFIRMATION and rules.finance.audit is not None:
        candidates = [str(a) for a in rules.finance.audit.confirmed_by]
    candidates += [b.value for b in rules.bodies]
    body = next(
        (
            c
            for c in candidates
            if c in {b.value for b in rules.bodies} and _can_plan(rules, c, event.matter)
        ),
        None,
    )
    if body is None:
        # Charter data that names no voting body for the matter: a vote cannot be planned;
        # retrying will not change that.
        from servicekit.events.consumer import UnhandleableEvent

        raise UnhandleableEvent(f"no body of {rules.slug} decides {event.matter.value} by vote")
    await _create(
        session,
        alliance_id=event.alliance_id,
        rules=rules,
        body=body,
        matter=event.matter,
        title=event.title_zh,
        matter_id=event.matter_id,
        changes=[],
        origin=f"finance.matter.submitted {envelope.id}",
        origin_event_id=envelope.id,
        proposed_by="finance",
    )


BODY_IDS = {b.value for b in BodyId}


WORKING_GROUP_MATTERS = frozenset(
    {
        MatterKind.WORKING_GROUP_CREATION,
        MatterKind.WORKING_GROUP_RENAME,
        MatterKind.WORKING_GROUP_DISSOLUTION,
        MatterKind.WORKING_GROUP_RULES,
        MatterKind.WORKING_GROUP_EVALUATION,
    }
)


async def for_working_group(
    session: AsyncSession,
    *,
    alliance_id: uuid.UUID,
    group_id: uuid.UUID,
    body: str,
    matter: MatterKind,
    title: str,
    proposed_by: str,
    origin: str,
    procedure: str | None = None,
) -> Motion:
    """A motion about one working group (``matterId`` is the group): its own resolutions, or
    the chair's office meeting's decision on it (AITISA Art.4-6). ``working_groups`` calls it,
    having checked the group may take it."""
    if not title.strip():
        raise DomainError("a motion needs a title")
    _, rules = await charters.in_force(session, alliance_id)
    motion = await _create(
        session,
        alliance_id=alliance_id,
        rules=rules,
        body=body,
        matter=matter,
        title=title.strip(),
        matter_id=group_id,
        changes=[],
        origin=origin,
        origin_event_id=None,
        proposed_by=proposed_by,
        procedure=procedure,
    )
    assert motion is not None
    return motion
