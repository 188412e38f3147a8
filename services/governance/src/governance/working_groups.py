"""Working groups (推进组, AITISA): founding, members and leaders, meetings and absences,
dissolution. A group is a body of the alliance with its own members (seats of the body
``working_group`` that name the group), meetings and motions; its votes are governance's own
(AITISA Art.10(1): at least 1/2 of its members present, written proxies counted; at least 2/3
of those present).

* Founding (Art.4, Annex 1): at least 5 member organisations apply jointly, naming the lead
  organisation, the co-initiators and their contacts, with the report (positioning, field,
  current state, necessity, mode of operation, overlap with existing groups). The secretariat
  answers in writing within 10 working days (deadline ``creation_answer``) whether the
  application goes to the chair's office meeting, with reasons if not; the chair's office
  decides by a motion; a rejection's result and reasons go to the initiators within 10 days
  (``rejection_notice``). Only an approved group meets or takes motions.
* Members and leaders (Art.7, Art.9(3)): any member of the alliance applies, the leader
  admits; one leader and any number of co-leaders, recommended by the lead organisation; a
  person leads at most one group; an organisation holds at most one post in a group; members
  leave freely; a group under 5 members is flagged (a ground of Art.6).
* Absences (Art.7(6)): after two consecutive absences the leader is told to remind the member;
  after three the member has left the group, announced to all members.
* Dissolution (Art.6): by its members (at least 1/2 of all members), the secretariat's review,
  the chair's office approval; or on the secretary-general's motion on one of three grounds,
  with the written notice within 10 days (``dissolution_notice``) and the group's objection
  within 10 days of it (``dissolution_objection``).

Deadlines are opened, closed and enforced through :mod:`governance.deadlines` (counted on the
alliance's calendar); this module computes no dates.

One writer: this module is the only one that writes ``working_groups``,
``working_group_initiators`` and ``working_group_requests`` (seats through ``seats``, motions
through ``motions``, meetings through ``meetings``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

import charter
from charter.ids import BodyId, MatterKind
from charter.model import WorkingGroupRules
from contracts.governance import (
    WorkingGroupAbsenceReminder,
    WorkingGroupApplicationAnswered,
    WorkingGroupApplied,
    WorkingGroupDecided,
    WorkingGroupDissolutionMoved,
    WorkingGroupDissolutionNotified,
    WorkingGroupDissolutionObjected,
    WorkingGroupDissolved,
    WorkingGroupEvaluated,
    WorkingGroupEvaluationResult,
    WorkingGroupEvent,
    WorkingGroupLeaving,
    WorkingGroupMeetingsMissed,
    WorkingGroupMemberJoined,
    WorkingGroupMemberLeft,
    WorkingGroupPostFilled,
    WorkingGroupRejectionNotified,
    WorkingGroupRenamed,
    WorkingGroupReviewDeclined,
    WorkingGroupRulesApproved,
)
from governance import charters, deadlines, meetings, motions, seats
from governance.models import (
    SOURCE,
    KnownAlliance,
    Meeting,
    Member,
    MinimumNotice,
    Motion,
    Seat,
    Stage,
    WorkingGroup,
    WorkingGroupEvaluation,
    WorkingGroupInitiator,
    WorkingGroupRequest,
    outbox,
)
from servicekit.auth import Principal
from servicekit.events import record_event
from servicekit.graphql import DomainError, Forbidden, NotFound
from servicekit.queries import grouped, rows_by_id

GROUP = BodyId.WORKING_GROUP.value
CHAIRS_OFFICE = BodyId.CHAIRS_OFFICE.value
SUBJECT = "working_group"

APPLIED, FORWARDED, DECLINED = "applied", "forwarded", "declined"
APPROVED, REJECTED, DISSOLVED = "approved", "rejected", "dissolved"

MEMBERS_ROUTE, SECRETARY_GENERAL_ROUTE = "members", "secretary_general"
MEMBERS_PROCEDURE = "working_group_dissolution"
MOTION_PROCEDURE = "working_group_dissolution_motion"
MEMBERS_GROUND = "no_demand"
"""The ground on which the members apply (Art.6); the secretary-general moves on the others."""

GROUP_MATTERS = (
    MatterKind.ORDINARY_RESOLUTION,
    MatterKind.WORKING_GROUP_DISSOLUTION,
)
RENAME_PROCEDURE = "working_group_rename"
RULES_PROCEDURE = "working_group_rules"
"""What a group's own meeting votes on (AITISA Art.10(1), 5, 6, 14)."""


def today() -> date:
    return datetime.now(UTC).date()


def rules_of(rules: charter.Charter) -> WorkingGroupRules:
    if rules.working_groups is None:
        raise DomainError(f"{rules.short_name}'s charter has no working groups", code="NO_GROUPS")
    return rules.working_groups


# --------------------------------------------------------------------------- reading


async def group_for_update(session: AsyncSession, group_id: uuid.UUID) -> WorkingGroup:
    group = await session.get(WorkingGroup, group_id, with_for_update=True)
    if group is None:
        raise NotFound("no such working group")
    return group


async def groups_by_id(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[WorkingGroup | None]:
    return await rows_by_id(session, WorkingGroup, ids)


async def groups_of(
    session: AsyncSession, alliance_ids: Sequence[uuid.UUID]
) -> list[list[WorkingGroup]]:
    rows = (
        await session.scalars(
            sa.select(WorkingGroup)
            .where(WorkingGroup.alliance_id.in_(set(alliance_ids)))
            .order_by(WorkingGroup.position)
        )
    ).all()
    return grouped(rows, alliance_ids, lambda r: r.alliance_id)


async def initiators_of(
    session: AsyncSession, group_ids: Sequence[uuid.UUID]
) -> list[list[WorkingGroupInitiator]]:
    rows = (
        await session.scalars(
            sa.select(WorkingGroupInitiator)
            .where(WorkingGroupInitiator.group_id.in_(set(group_ids)))
            .order_by(WorkingGroupInitiator.position)
        )
    ).all()
    return grouped(rows, group_ids, lambda r: r.group_id)


async def requests_of(
    session: AsyncSession, group_ids: Sequence[uuid.UUID]
) -> list[list[WorkingGroupRequest]]:
    rows = (
        await session.scalars(
            sa.select(WorkingGroupRequest)
            .where(WorkingGroupRequest.group_id.in_(set(group_ids)))
            .order_by(WorkingGroupRequest.created_at, WorkingGroupRequest.id)
        )
    ).all()
    return grouped(rows, group_ids, lambda r: r.group_id)


async def members(session: AsyncSession, group_id: uuid.UUID) -> list[Seat]:
    return (await seats.seats_of_groups(session, [group_id]))[0]


async def held_in_year(
    session: AsyncSession, group_ids: Sequence[uuid.UUID], year: int
) -> list[int]:
    """Each group's working meetings held (attendance closed) in ``year`` (Art.10(1))."""
    start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    rows = (
        await session.execute(
            sa.select(Meeting.group_id, sa.func.count())
            .where(
                Meeting.group_id.in_(set(group_ids)),
                Meeting.attendance_closed_at.is_not(None),
                Meeting.starts_at >= start,
                Meeting.starts_at < end,
            )
            .group_by(Meeting.group_id)
        )
    ).all()
    found = {r[0]: r[1] for r in rows}
    return [found.get(g, 0) for g in group_ids]


def meeting_minimum(rules: charter.Charter) -> tuple[int, str]:
    """At least two working meetings a year (AITISA Art.10(1))."""
    body = rules.bodies.get(BodyId.WORKING_GROUP)
    found = body.meetings if body else None
    return (found.min_per_year or 0, found.source) if found else (0, "default")


def leaders(rows: Sequence[Seat]) -> list[Seat]:
    return [s for s in rows if s.role in seats.GROUP_POSTS]


def leader_users(rows: Sequence[Seat], *, co_leaders: bool = True) -> list[str]:
    posts = seats.GROUP_POSTS if co_leaders else ("group_leader",)
    return sorted({s.holder_user_id for s in rows if s.role in posts and s.holder_user_id})


def holder_users(rows: Sequence[Seat]) -> list[str]:
    return sorted({s.holder_user_id for s in rows if s.holder_user_id})


async def contacts_of_initiators(session: AsyncSession, group_id: uuid.UUID) -> list[str]:
    found = (await initiators_of(session, [group_id]))[0]
    return sorted({i.contact_user_id for i in found})


def _may_act_for_group(principal: Principal, slug: str, rows: Sequence[Seat]) -> str | None:
    """The capacity in which the caller acts for the group: its leader, a co-leader, or staff."""
    if principal.operator:
        return "platform operator"
    for seat in rows:
        if seat.role in seats.GROUP_POSTS and seat.holder_user_id == principal.user_id:
            return str(seat.role)
    if principal.is_staff(slug):
        return "secretariat"
    return None


async def _slug(session: AsyncSession, alliance_id: uuid.UUID) -> str:
    slug = await session.scalar(
        sa.select(KnownAlliance.slug).where(KnownAlliance.id == alliance_id)
    )
    assert slug is not None
    return slug


def _require_approved(group: WorkingGroup) -> None:
    if group.status != APPROVED:
        raise DomainError(
            f"the working group {group.name_zh} is {group.status}: only a group the chair's "
            "office meeting approved may hold meetings or take motions (AITISA Art.4(3))",
            code="GROUP_NOT_APPROVED",
        )


async def _publish(
    session: AsyncSession, event: WorkingGroupEvent, subject: uuid.UUID | None = None
) -> None:
    await record_event(
        session,
        outbox,
        event,
        source=SOURCE,
        subject=subject or event.group_id,
        alliance_id=event.alliance_id,
    )


def _about(group: WorkingGroup, recipients: Sequence[str], rule: str) -> dict[str, Any]:
    return {
        "alliance_id": group.alliance_id,
        "group_id": group.id,
        "group_name_zh": group.name_zh,
        "group_name_en": group.name_en,
        "recipients": sorted(set(recipients)),
        "rule": rule,
    }


# --------------------------------------------------------------------------- founding


@dataclass(frozen=True)
class Initiator:
    organization_id: uuid.UUID
    contact_user_id: str
    contact_name: str


@dataclass(frozen=True)
class Application:
    name_zh: str
    name_en: str
    kind: str
    lead_organization_id: uuid.UUID
    initiators: Sequence[Initiator]
    """Every applying organisation, the lead one included, with its contact."""
    positioning: str
    field: str
    current_state: str
    necessity: str
    mode_of_operation: str
    overlap: str
    received_on: date | None = None
    """The day the secretariat received the written application, when it records a paper one
    later (staff only; not in the future, at most a year back). Default: today."""


RECEIPT_MAX_AGE_DAYS = 366


def _received_on(principal: Principal, slug: str, received_on: date | None) -> date:
    """The period of Art.4(2) runs from receipt (Civil Code Art.201: that day not counted)."""
    if received_on is None:
        return today()
    if not principal.is_staff(slug):
        raise Forbidden("only the secretariat records when it received an application")
    if received_on > today():
        raise DomainError(
            "an application cannot be received in the future", code="BAD_RECEIPT_DATE"
        )
    if (today() - received_on).days > RECEIPT_MAX_AGE_DAYS:
        raise DomainError(
            f"an application received more than {RECEIPT_MAX_AGE_DAYS} days ago is filed anew",
            code="BAD_RECEIPT_DATE",
        )
    return received_on


async def apply(
    session: AsyncSession, principal: Principal, slug: str, spec: Application
) -> WorkingGroup:
    """A joint application to found a working group (AITISA Art.4(1), Annex 1)."""
    alliance = await charters.alliance_by_slug(session, slug)
    _, rules = await charters.in_force(session, alliance.id)
    wg = rules_of(rules)
    kinds = {k.id for k in wg.kinds if k.id}
    if kinds and spec.kind not in kinds:
        raise DomainError(
            f"a working group is {' or '.join(sorted(kinds))} (AITISA Art.3)", code="BAD_KIND"
        )
    if not (spec.name_zh.strip() and spec.name_en.strip()):
        raise DomainError("a working group needs its name in Chinese and English")
    report = {
        "positioning": spec.positioning,
        "field": spec.field,
        "currentState": spec.current_state,
        "necessity": spec.necessity,
        "modeOfOperation": spec.mode_of_operation,
        "overlap": spec.overlap,
    }
    missing = [k for k, v in report.items() if not v.strip()]
    if missing:
        raise DomainError(
            f"the application report states {', '.join(missing)} (AITISA Art.4(1))",
            code="REPORT_INCOMPLETE",
        )
    by_org = {i.organization_id: i for i in spec.initiators}
    if len(by_org) != len(spec.initiators):
        raise DomainError("an organisation is listed twice", code="DUPLICATE_INITIATOR")
    if spec.lead_organization_id not in by_org:
        raise DomainError(
            "the lead organisation is one of the applying organisations (AITISA Art.4(1))",
            code="LEAD_NOT_INITIATOR",
        )
    for i in spec.initiators:
        if not (i.contact_user_id.strip() and i.contact_name.strip()):
            raise DomainError(
                "each applying organisation names its contact (AITISA Art.4(1))",
                code="CONTACT_MISSING",
            )
    minimum = wg.min_founding_members
    if len(by_org) < minimum.value:
        raise DomainError(
            f"a working group is founded by at least {minimum.value} member organisations "
            f"applying jointly ({minimum.source}); this application has {len(by_org)}",
            code="TOO_FEW_INITIATORS",
            needed=minimum.value,
            given=len(by_org),
            rule=minimum.source,
        )
    found = {
        m.organization_id: m
        for m in (
            await session.scalars(
                sa.select(Member).where(
                    Member.alliance_id == alliance.id,
                    Member.organization_id.in_(by_org),
                    Member.status == "active",
                )
            )
        ).all()
    }
    outsiders = [str(o) for o in by_org if o not in found]
    if outsiders:
        raise DomainError(
            "only member organisations of the alliance apply (AITISA Art.4(1)): "
            + ", ".join(outsiders),
            code="NOT_A_MEMBER",
        )
    contacts = {m.contact_user_id for m in found.values()}
    if not principal.is_staff(slug) and principal.user_id not in contacts:
        raise Forbidden("the contact person of an applying organisation files the application")
    group = WorkingGroup(
        id=uuid.uuid4(),
        alliance_id=alliance.id,
        name_zh=spec.name_zh.strip(),
        name_en=spec.name_en.strip(),
        kind=spec.kind,
        status=APPLIED,
        lead_organization_id=spec.lead_organization_id,
        positioning=spec.positioning,
        field=spec.field,
        current_state=spec.current_state,
        necessity=spec.necessity,
        mode_of_operation=spec.mode_of_operation,
        overlap=spec.overlap,
        filed_by=principal.user_id,
        filed_on=_received_on(principal, slug, spec.received_on),
    )
    session.add(group)
    await session.flush()
    for i in spec.initiators:
        session.add(
            WorkingGroupInitiator(
                group_id=group.id,
                organization_id=i.organization_id,
                alliance_id=alliance.id,
                organization_name=found[i.organization_id].organization_name,
                lead=i.organization_id == spec.lead_organization_id,
                contact_user_id=i.contact_user_id,
                contact_name=i.contact_name,
            )
        )
    await session.flush()
    await deadlines.open_deadline(
        session,
        alliance_id=alliance.id,
        subject_type=SUBJECT,
        subject_id=group.id,
        deadline="creation_answer",
        start_on=group.filed_on,
        recipient_roles=["secretariat"],
        title_zh=f"答复推进组设立申请：{group.name_zh}",
        title_en=f"Answer the application to found {group.name_en}",
    )
    await _publish(
        session,
        WorkingGroupApplied(
            **_about(group, [], "AITISA Art.4(1)"),
            lead_organization_id=group.lead_organization_id,
            initiators=list(by_org),
            filed_on=group.filed_on,
        ),
    )
    return group


async def answer(
    session: AsyncSession,
    principal: Principal,
    group_id: uuid.UUID,
    *,
    forward: bool,
    reasons: str | None,
) -> WorkingGroup:
    """The secretariat's written answer (AITISA Art.4(2)): to the chair's office meeting (a
    pending motion of it), or not, with the reasons; the initiators are told either way."""
    group = await group_for_update(session, group_id)
    slug = await _slug(session, group.alliance_id)
    if not (principal.operator or principal.has_role(slug, "secretariat")):
        raise Forbidden("the secretariat answers an application to found a group (Art.4(2))")
    if group.status != APPLIED:
        raise DomainError(
            f"this application was answered already ({group.status})", code="ALREADY_ANSWERED"
        )
    reasons = (reasons or "").strip() or None
    if not forward and reasons is None:
        raise DomainError(
            "an application that does not go to the chair's office meeting is answered with "
            "the reasons (AITISA Art.4(2))",
            code="REASONS_REQUIRED",
        )
    group.answered_on, group.answer_reasons = today(), reasons
    if forward:
        motion = await motions.for_working_group(
            session,
            alliance_id=group.alliance_id,
            group_id=group.id,
            body=CHAIRS_OFFICE,
            matter=MatterKind.WORKING_GROUP_CREATION,
            title=f"设立推进组：{group.name_zh}",
            proposed_by=principal.user_id,
            origin=f"forwarded by the secretariat ({principal.user_id}), AITISA Art.4(2)",
        )
        group.status, group.creation_motion_id = FORWARDED, motion.id
    else:
        group.status = DECLINED
    await deadlines.close_deadline(session, subject_id=group.id, deadline="creation_answer")
    await _publish(
        session,
        WorkingGroupApplicationAnswered(
            **_about(group, await contacts_of_initiators(session, group.id), "AITISA Art.4(2)"),
            forwarded=forward,
            reasons=reasons,
            answered_on=group.answered_on,
        ),
    )
    await session.flush()
    return group


async def notify_rejection(
    session: AsyncSession, principal: Principal, group_id: uuid.UUID, reasons: str
) -> WorkingGroup:
    """The secretariat tells the initiators the result and the reasons (AITISA Art.4(3))."""
    group = await group_for_update(session, group_id)
    slug = await _slug(session, group.alliance_id)
    if not (principal.operator or principal.has_role(slug, "secretariat")):
        raise Forbidden("the secretariat tells the initiators (AITISA Art.4(3))")
    if group.status != REJECTED:
        raise DomainError("only a rejected application is notified so", code="NOT_REJECTED")
    if group.rejection_notified_on is not None:
        raise DomainError("the initiators were told already", code="ALREADY_NOTIFIED")
    if not reasons.strip():
        raise DomainError("the notice gives the reasons (AITISA Art.4(3))", code="REASONS_REQUIRED")
    group.rejection_reasons, group.rejection_notified_on = reasons.strip(), today()
    await deadlines.close_deadline(session, subject_id=group.id, deadline="rejection_notice")
    await _publish(
        session,
        WorkingGroupRejectionNotified(
            **_about(group, await contacts_of_initiators(session, group.id), "AITISA Art.4(3)"),
            reasons=group.rejection_reasons,
            notified_on=group.rejection_notified_on,
        ),
    )
    await session.flush()
    return group


async def _founded(session: AsyncSession, group: WorkingGroup, motion: Motion) -> None:
    """Approved: the applying organisations are its first members, by their contacts."""
    group.status, group.decided_on = APPROVED, today()
    for i in (await initiators_of(session, [group.id]))[0]:
        await seats.join_group(
            session,
            alliance_id=group.alliance_id,
            group_id=group.id,
            organization_id=i.organization_id,
            organization_name=i.organization_name,
            user_id=i.contact_user_id,
            name=i.contact_name,
            on=group.decided_on,
            reason="founding member (AITISA Art.4)",
        )
    await _publish(
        session,
        WorkingGroupDecided(
            **_about(group, await contacts_of_initiators(session, group.id), "AITISA Art.4(3)"),
            approved=True,
            motion_id=motion.id,
            decided_on=group.decided_on,
        ),
    )


async def _rejected(session: AsyncSession, group: WorkingGroup, motion: Motion) -> None:
    group.status, group.decided_on = REJECTED, today()
    await deadlines.open_deadline(
        session,
        alliance_id=group.alliance_id,
        subject_type=SUBJECT,
        subject_id=group.id,
        deadline="rejection_notice",
        start_on=group.decided_on,
        recipient_roles=["secretariat"],
        title_zh=f"告知发起人未批准设立推进组的结果和理由：{group.name_zh}",
        title_en=f"Tell the initiators of {group.name_en} why it was not approved",
    )
    await _publish(
        session,
        WorkingGroupDecided(
            **_about(group, [], "AITISA Art.4(3)"),
            approved=False,
            motion_id=motion.id,
            decided_on=group.decided_on,
        ),
    )


# --------------------------------------------------------------------------- votes


async def before_stage_opens(
    session: AsyncSession, motion: Motion, stage: Stage, meeting: Meeting
) -> None:
    """What a working group's motion needs before its next vote opens (called by ``votes``)."""
    if meeting.group_id is not None and motion.matter_id != meeting.group_id:
        raise DomainError("this motion is not this working group's", code="WRONG_GROUP")
    if motion.matter_id is None:
        return
    group = await group_for_update(session, motion.matter_id)
    if stage.body == GROUP:
        _require_approved(group)
        return
    matter = MatterKind(motion.matter)
    if matter is MatterKind.WORKING_GROUP_CREATION and group.status != FORWARDED:
        raise DomainError(
            "the secretariat has not forwarded this application (Art.4(2))", code="NOT_FORWARDED"
        )
    if matter is MatterKind.WORKING_GROUP_RENAME and group.rename_reviewed_on is None:
        raise DomainError(
            "the plenary's application to rename the group goes to the secretariat's review "
            "before the chair's office meeting (AITISA Art.5)",
            code="NOT_REVIEWED",
        )
    if matter is not MatterKind.WORKING_GROUP_DISSOLUTION:
        return
    if motion.procedure == MEMBERS_PROCEDURE and group.dissolution_reviewed_on is None:
        raise DomainError(
            "the members' application to dissolve the group goes to the secretariat's review "
            "before the chair's office meeting (AITISA Art.6)",
            code="NOT_REVIEWED",
        )
    if motion.procedure == MOTION_PROCEDURE:
        if group.dissolution_notified_on is None:
            raise DomainError(
                "the group has not been told of the motion in writing (AITISA Art.6)",
                code="NOTICE_NOT_GIVEN",
            )
        if group.objected_on is None:
            try:
                await deadlines.require_open(
                    session, subject_id=motion.id, deadline="dissolution_objection", on=today()
                )
            except DomainError:
                return  # the window has run out without an objection
            raise DomainError(
                "the group may still object to the chair's office meeting (AITISA Art.6): the "
                "vote opens once it objects or its window has closed",
                code="OBJECTION_WINDOW_OPEN",
            )


async def after_stage_closed(
    session: AsyncSession, motion: Motion, stage: Stage, result: dict[str, Any]
) -> None:
    """A working group's matter moved on (called by ``votes`` after each stage closes)."""
    assert motion.matter_id is not None
    group = await group_for_update(session, motion.matter_id)
    matter = MatterKind(motion.matter)
    final = motion.status in ("passed", "failed")
    if matter is MatterKind.WORKING_GROUP_CREATION and final:
        if motion.status == "passed":
            await _founded(session, group, motion)
        else:
            await _rejected(session, group, motion)
    elif matter is MatterKind.WORKING_GROUP_RULES:
        if motion.status == "failed":
            group.rules_motion_id = group.proposed_rules = None
        elif stage.body == CHAIRS_OFFICE and motion.status == "passed":
            await _rules_approved(session, group, motion)
    elif matter is MatterKind.WORKING_GROUP_EVALUATION and final:
        await _evaluation_decided(session, group, motion)
    elif matter is MatterKind.WORKING_GROUP_RENAME:
        if motion.status == "failed":
            group.rename_motion_id = group.proposed_name_zh = group.proposed_name_en = None
            group.rename_reviewed_on = None
        elif stage.body == CHAIRS_OFFICE and motion.status == "passed":
            await _renamed(session, group, motion)
    elif matter is MatterKind.WORKING_GROUP_DISSOLUTION:
        if stage.body == GROUP and result["passed"]:
            group.dissolution_motion_id = motion.id
            group.dissolution_route, group.dissolution_ground = MEMBERS_ROUTE, MEMBERS_GROUND
            group.dissolution_reviewed_on = None
        elif stage.body == CHAIRS_OFFICE and motion.status == "passed":
            await _dissolve(session, group, motion)
        elif stage.body == CHAIRS_OFFICE:
            group.dissolution_motion_id = None  # not approved: the group goes on
    await session.flush()


# --------------------------------------------------------------------------- meetings and motions


async def convene(
    session: AsyncSession,
    principal: Principal,
    group_id: uuid.UUID,
    spec: meetings.Convening,
) -> Meeting:
    """A working meeting of the group, convened by its leader (AITISA Art.8(2)); the
    secretariat may convene for it."""
    group = await group_for_update(session, group_id)
    _require_approved(group)
    slug = await _slug(session, group.alliance_id)
    capacity = _may_act_for_group(principal, slug, await members(session, group.id))
    if capacity not in ("group_leader", "secretariat", "platform operator"):
        raise Forbidden("the group leader convenes the group's meetings (AITISA Art.8(2))")
    return await meetings.convene(
        session,
        principal,
        slug,
        meetings.Convening(
            body=GROUP,
            title=spec.title,
            mode=spec.mode,
            starts_at=spec.starts_at,
            place=spec.place,
            link=spec.link,
            voting_deadline=spec.voting_deadline,
            agenda=spec.agenda,
            group_id=group.id,
        ),
        convened_as=f"{capacity} of {group.name_zh} (AITISA Art.8(2))",
    )


async def propose(
    session: AsyncSession,
    principal: Principal,
    group_id: uuid.UUID,
    *,
    matter: MatterKind,
    title: str,
) -> Motion:
    """A motion for the group's own meeting (AITISA Art.10(1); Art.5, 6 and 14 start so)."""
    group = await group_for_update(session, group_id)
    _require_approved(group)
    slug = await _slug(session, group.alliance_id)
    if _may_act_for_group(principal, slug, await members(session, group.id)) is None:
        raise Forbidden("the group's leader, a co-leader or the secretariat puts motions forward")
    if matter not in GROUP_MATTERS:
        raise DomainError(
            f"a working group's meeting votes on {', '.join(m.value for m in GROUP_MATTERS)}",
            code="NOT_IN_POWERS",
        )
    if matter is MatterKind.WORKING_GROUP_DISSOLUTION and group.dissolution_motion_id:
        raise DomainError("a dissolution of this group is under way", code="DISSOLUTION_PENDING")
    return await motions.for_working_group(
        session,
        alliance_id=group.alliance_id,
        group_id=group.id,
        body=GROUP,
        matter=matter,
        title=title,
        proposed_by=principal.user_id,
        origin=f"proposed by {principal.user_id} for {group.name_zh}",
        procedure=MEMBERS_PROCEDURE if matter is MatterKind.WORKING_GROUP_DISSOLUTION else None,
    )


async def after_meeting(session: AsyncSession, meeting: Meeting) -> None:
    """The attendance of a group's meeting closed: Art.7(6) on each member's absences in a
    row (called by ``meetings``, once per meeting). Two: the leader is told to remind the
    member; three: the member has left the group, announced to all its members."""
    assert meeting.group_id is not None
    group = await group_for_update(session, meeting.group_id)
    rows = await members(session, group.id)
    runs = await meetings.consecutive_absences(session, [s.id for s in rows])
    _, rules = await charters.in_force(session, group.alliance_id)
    reminder, leaving = _absence_rules(rules)
    for seat, run in zip(rows, runs, strict=True):
        if leaving and run >= leaving[0]:
            await _leave(
                session, group, seat, WorkingGroupLeaving.ABSENCES, absences=run, rule=leaving[1]
            )
        elif reminder and run == reminder[0]:
            await _publish(
                session,
                WorkingGroupAbsenceReminder(
                    **_about(group, leader_users(rows, co_leaders=False), reminder[1]),
                    seat_id=seat.id,
                    organization_id=seat.organization_id,
                    organization_name=seat.organization_name or "",
                    member_user_id=seat.holder_user_id,
                    absences=run,
                ),
                subject=seat.id,
            )


def _absence_rules(rules: charter.Charter) -> tuple[tuple[int, str] | None, tuple[int, str] | None]:
    """(count, article) of the reminder and of leaving (AITISA Art.7(6) automatic rules)."""
    reminder = leaving = None
    for rule in rules.automatic_rules:
        if rule.body != GROUP or rule.trigger != "consecutive_absences" or not rule.count:
            continue
        if rule.effect == "reminder":
            reminder = (rule.count, rule.source)
        elif rule.effect == "leaves_body":
            leaving = (rule.count, rule.source)
    return reminder, leaving


# --------------------------------------------------------------------------- members and posts


async def request_to_join(
    session: AsyncSession,
    principal: Principal,
    group_id: uuid.UUID,
    *,
    organization_id: uuid.UUID,
    representative_user_id: str,
    representative_name: str,
) -> WorkingGroupRequest:
    """A member of the alliance applies to join (AITISA Art.7(1): 联盟会员均可申请)."""
    group = await group_for_update(session, group_id)
    _require_approved(group)
    slug = await _slug(session, group.alliance_id)
    member = await session.scalar(
        sa.select(Member).where(
            Member.alliance_id == group.alliance_id,
            Member.organization_id == organization_id,
            Member.status == "active",
        )
    )
    if member is None:
        raise DomainError(
            "only members of the alliance join its working groups (Art.7(1))", code="NOT_A_MEMBER"
        )
    if not principal.is_staff(slug) and member.contact_user_id != principal.user_id:
        raise Forbidden("the organisation's contact person applies for it")
    if not (representative_user_id.strip() and representative_name.strip()):
        raise DomainError("the application names the organisation's representative")
    seat = await session.get(
        Seat, seats.group_seat_id(group.alliance_id, group.id, organization_id)
    )
    if seat is not None and seat.active:
        raise DomainError(
            f"{member.organization_name} is a member of this group", code="ALREADY_MEMBER"
        )
    pending = await session.scalar(
        sa.select(WorkingGroupRequest.id).where(
            WorkingGroupRequest.group_id == group.id,
            WorkingGroupRequest.organization_id == organization_id,
            WorkingGroupRequest.status == "pending",
        )
    )
    if pending is not None:
        raise DomainError("this organisation's application is pending", code="REQUEST_PENDING")
    request = WorkingGroupRequest(
        id=uuid.uuid4(),
        alliance_id=group.alliance_id,
        group_id=group.id,
        organization_id=organization_id,
        organization_name=member.organization_name,
        representative_user_id=representative_user_id.strip(),
        representative_name=representative_name.strip(),
        status="pending",
        filed_by=principal.user_id,
    )
    session.add(request)
    await session.flush()
    return request


async def decide_request(
    session: AsyncSession,
    principal: Principal,
    request_id: uuid.UUID,
    *,
    admit: bool,
    reason: str | None,
) -> WorkingGroupRequest:
    """The group leader admits (or not) a member's application (AITISA Art.7(2))."""
    request = await session.get(WorkingGroupRequest, request_id, with_for_update=True)
    if request is None:
        raise NotFound("no such application")
    group = await group_for_update(session, request.group_id)
    _require_approved(group)
    rows = await members(session, group.id)
    if not principal.operator and principal.user_id not in leader_users(rows, co_leaders=False):
        raise Forbidden("the group leader admits new members (AITISA Art.7(2))")
    if request.status != "pending":
        raise DomainError(f"this application was {request.status} already", code="DECIDED")
    request.status = "admitted" if admit else "refused"
    request.decided_by, request.reason = principal.user_id, (reason or "").strip() or None
    if admit:
        seat = await seats.join_group(
            session,
            alliance_id=group.alliance_id,
            group_id=group.id,
            organization_id=request.organization_id,
            organization_name=request.organization_name,
            user_id=request.representative_user_id,
            name=request.representative_name,
            on=today(),
            reason=f"admitted by the group leader {principal.user_id} (AITISA Art.7(2))",
        )
        await _publish(
            session,
            WorkingGroupMemberJoined(
                **_about(
                    group, [request.representative_user_id, request.filed_by], "AITISA Art.7(2)"
                ),
                seat_id=seat.id,
                organization_id=request.organization_id,
                organization_name=request.organization_name,
                members=len(rows) + 1,
            ),
            subject=seat.id,
        )
    await session.flush()
    return request


async def fill_post(
    session: AsyncSession,
    principal: Principal,
    group_id: uuid.UUID,
    *,
    organization_id: uuid.UUID,
    user_id: str,
    name: str,
    post: str,
) -> Seat:
    """The leader or a co-leader, recommended by the lead organisation (AITISA Art.7(3),
    Annex 2): one leader, any number of co-leaders; a person leads at most one group of the
    alliance (Art.7(4)); an organisation holds at most one post in a group (Art.7(5))."""
    group = await group_for_update(session, group_id)
    _require_approved(group)
    slug = await _slug(session, group.alliance_id)
    lead_contact = await session.scalar(
        sa.select(WorkingGroupInitiator.contact_user_id).where(
            WorkingGroupInitiator.group_id == group.id, WorkingGroupInitiator.lead
        )
    )
    if not principal.is_staff(slug) and principal.user_id != lead_contact:
        raise Forbidden("the lead organisation recommends the leader and co-leaders (Art.7(3))")
    if post not in seats.GROUP_POSTS:
        raise DomainError(f"a post is one of {', '.join(seats.GROUP_POSTS)}")
    if not (user_id.strip() and name.strip()):
        raise DomainError("the post names its holder")
    _, rules = await charters.in_force(session, group.alliance_id)
    wg = rules_of(rules)
    rows = await members(session, group.id)
    seat = next((s for s in rows if s.organization_id == organization_id), None)
    if seat is None:
        raise DomainError(
            "a post goes to a member organisation of the group", code="NOT_A_GROUP_MEMBER"
        )
    if seat.role is not None:
        raise DomainError(
            f"{seat.organization_name} holds the post {seat.role} in this group already: an "
            f"organisation holds at most {wg.max_leader_posts_per_organisation.value} leader or "
            f"co-leader post in a group ({wg.max_leader_posts_per_organisation.source})",
            code="ORGANISATION_HOLDS_POST",
            rule=wg.max_leader_posts_per_organisation.source,
        )
    if post == "group_leader":
        if any(s.role == "group_leader" for s in rows):
            raise DomainError(
                f"a group has {wg.leaders_per_group.value} leader ({wg.leaders_per_group.source})",
                code="LEADER_POST_FILLED",
                rule=wg.leaders_per_group.source,
            )
        led = await session.scalar(
            sa.select(WorkingGroup.name_zh)
            .join(Seat, Seat.group_id == WorkingGroup.id)
            .where(
                Seat.alliance_id == group.alliance_id,
                Seat.holder_user_id == user_id,
                Seat.role == "group_leader",
                Seat.active,
            )
        )
        if led is not None:
            cap = wg.max_groups_led_per_person
            raise DomainError(
                f"{name} leads {led} already: a person leads at most {cap.value} working group "
                f"of the alliance ({cap.source})",
                code="LEADS_ANOTHER_GROUP",
                rule=cap.source,
            )
    await seats.fill_group_post(
        session,
        seat,
        post=post,
        user_id=user_id.strip(),
        name=name.strip(),
        on=today(),
        reason=f"recommended by the lead organisation (AITISA Art.7(3)), by {principal.user_id}",
    )
    await _publish(
        session,
        WorkingGroupPostFilled(
            **_about(group, holder_users(rows), "AITISA Art.7(3)"),
            seat_id=seat.id,
            organization_id=organization_id,
            user_id=seat.holder_user_id or "",
            name=seat.holder_name or "",
            post=post,
        ),
        subject=seat.id,
    )
    return seat


async def leave(session: AsyncSession, principal: Principal, seat_id: uuid.UUID) -> Seat:
    """A member leaves the group of its own accord (AITISA Art.9(3): 有退出推进组的自由)."""
    seat = await session.get(Seat, seat_id, with_for_update=True)
    if seat is None or seat.group_id is None:
        raise NotFound("no such working-group seat")
    if not seat.active:
        raise DomainError("this organisation has left the group already", code="SEAT_VACANT")
    group = await group_for_update(session, seat.group_id)
    slug = await _slug(session, group.alliance_id)
    contact = await session.scalar(
        sa.select(Member.contact_user_id).where(
            Member.alliance_id == seat.alliance_id, Member.organization_id == seat.organization_id
        )
    )
    if not principal.is_staff(slug) and principal.user_id not in {contact, seat.holder_user_id}:
        raise Forbidden("the organisation (its contact or representative) leaves for itself")
    await _leave(session, group, seat, WorkingGroupLeaving.FREELY, rule="AITISA Art.9(3)")
    return seat


async def _leave(
    session: AsyncSession,
    group: WorkingGroup,
    seat: Seat,
    reason: WorkingGroupLeaving,
    *,
    rule: str,
    absences: int = 0,
) -> None:
    before = await members(session, group.id)
    why = (
        f"{absences} consecutive absences: deemed to have left ({rule})"
        if reason is WorkingGroupLeaving.ABSENCES
        else f"left freely ({rule})"
    )
    await seats.leave_group(session, seat, on=today(), reason=why)
    await session.flush()
    _, rules = await charters.in_force(session, group.alliance_id)
    minimum = rules_of(rules).min_members
    remaining = len(before) - 1
    await _publish(
        session,
        WorkingGroupMemberLeft(
            **_about(group, holder_users(before), rule),
            seat_id=seat.id,
            organization_id=seat.organization_id,
            organization_name=seat.organization_name or "",
            reason=reason,
            absences=absences,
            members=remaining,
            minimum=minimum.value,
            below_minimum=remaining < minimum.value,
        ),
        subject=seat.id,
    )


# --------------------------------------------------------------------------- dissolution


async def review_dissolution(
    session: AsyncSession,
    principal: Principal,
    group_id: uuid.UUID,
    reasons: str,
    *,
    forward: bool = True,
) -> WorkingGroup:
    """The secretariat reviews the members' application to dissolve the group (AITISA Art.6:
    报联盟秘书处初审): it sends it on to the chair's office meeting, or declines it with the
    reasons, and the group goes on."""
    group = await group_for_update(session, group_id)
    slug = await _slug(session, group.alliance_id)
    if not (principal.operator or principal.has_role(slug, "secretariat")):
        raise Forbidden("the secretariat reviews a dissolution (AITISA Art.6)")
    if group.dissolution_route != MEMBERS_ROUTE or group.dissolution_motion_id is None:
        raise DomainError(
            "the group's members have not applied to dissolve it (at least 1/2 of all its "
            "members, AITISA Art.6)",
            code="NO_DISSOLUTION",
        )
    if group.dissolution_reviewed_on is not None:
        raise DomainError("the secretariat reviewed it already", code="ALREADY_REVIEWED")
    if not forward:
        motion = await session.get(Motion, group.dissolution_motion_id, with_for_update=True)
        assert motion is not None
        await _decline_at_review(session, group, motion, reasons, rule="AITISA Art.6")
        group.dissolution_motion_id = None
        group.dissolution_route = group.dissolution_ground = None
        await session.flush()
        return group
    group.dissolution_reviewed_on, group.dissolution_reasons = today(), reasons.strip() or None
    await _publish(
        session,
        WorkingGroupDissolutionMoved(
            **_about(group, [], "AITISA Art.6"),
            route=MEMBERS_ROUTE,
            ground=MEMBERS_GROUND,
            reasons=group.dissolution_reasons or "",
            motion_id=group.dissolution_motion_id,
            moved_on=group.dissolution_reviewed_on,
        ),
    )
    await session.flush()
    return group


async def move_dissolution(
    session: AsyncSession,
    principal: Principal,
    group_id: uuid.UUID,
    *,
    ground: str,
    reasons: str,
    moved_on: date,
) -> WorkingGroup:
    """The secretary-general moves to dissolve the group on a ground of AITISA Art.6 (on
    ``moved_on``, recorded now); the group is to be told in writing within 10 days of it
    (deadline ``dissolution_notice``)."""
    group = await group_for_update(session, group_id)
    slug = await _slug(session, group.alliance_id)
    if not (principal.operator or principal.has_role(slug, "secretary_general")):
        raise Forbidden("the secretary-general moves to dissolve a group (AITISA Art.6)")
    _require_approved(group)
    _, rules = await charters.in_force(session, group.alliance_id)
    grounds = {
        g.id: g for g in rules_of(rules).dissolution_grounds if g.id and g.id != MEMBERS_GROUND
    }
    if ground not in grounds:
        raise DomainError(
            f"the secretary-general moves on one of {', '.join(grounds)} (AITISA Art.6)",
            code="BAD_GROUND",
        )
    if not reasons.strip():
        raise DomainError("the motion gives its reasons", code="REASONS_REQUIRED")
    if moved_on > today():
        raise DomainError("a motion is recorded once it is made", code="BAD_DATE")
    if group.dissolution_motion_id is not None:
        raise DomainError("a dissolution of this group is under way", code="DISSOLUTION_PENDING")
    motion = await motions.for_working_group(
        session,
        alliance_id=group.alliance_id,
        group_id=group.id,
        body=CHAIRS_OFFICE,
        matter=MatterKind.WORKING_GROUP_DISSOLUTION,
        title=f"撤销推进组：{group.name_zh}",
        proposed_by=principal.user_id,
        origin=f"moved by the secretary-general {principal.user_id} (AITISA Art.6)",
        procedure=MOTION_PROCEDURE,
    )
    group.dissolution_motion_id, group.dissolution_route = motion.id, SECRETARY_GENERAL_ROUTE
    group.dissolution_ground, group.dissolution_reasons = ground, reasons.strip()
    group.dissolution_moved_on = moved_on
    group.dissolution_notified_on = group.objected_on = None
    group.objection = None
    await deadlines.open_deadline(
        session,
        alliance_id=group.alliance_id,
        subject_type="motion",
        subject_id=motion.id,
        deadline="dissolution_notice",
        start_on=moved_on,
        recipient_roles=["secretary_general"],
        title_zh=f"书面通知推进组撤销动议：{group.name_zh}",
        title_en=f"Notify {group.name_en} in writing of the motion to dissolve it",
    )
    await _publish(
        session,
        WorkingGroupDissolutionMoved(
            **_about(group, [], "AITISA Art.6"),
            route=SECRETARY_GENERAL_ROUTE,
            ground=ground,
            reasons=group.dissolution_reasons,
            motion_id=motion.id,
            moved_on=moved_on,
        ),
    )
    await session.flush()
    return group


async def notify_dissolution(
    session: AsyncSession, principal: Principal, group_id: uuid.UUID, *, notified_on: date
) -> WorkingGroup:
    """The written notice to the group (AITISA Art.6), on the day it was given; the group's
    10 days to object run from it (deadline ``dissolution_objection``)."""
    group = await group_for_update(session, group_id)
    slug = await _slug(session, group.alliance_id)
    if not (principal.operator or principal.has_role(slug, "secretary_general")):
        raise Forbidden("the secretary-general gives the written notice (AITISA Art.6)")
    if group.dissolution_route != SECRETARY_GENERAL_ROUTE or group.dissolution_motion_id is None:
        raise DomainError("no motion to dissolve this group is under way", code="NO_DISSOLUTION")
    if group.dissolution_notified_on is not None:
        raise DomainError("the group was told already", code="ALREADY_NOTIFIED")
    motion = await session.get(Motion, group.dissolution_motion_id)
    assert motion is not None
    if notified_on > today() or notified_on < (group.dissolution_moved_on or notified_on):
        raise DomainError("the notice is given between the motion and today", code="BAD_DATE")
    group.dissolution_notified_on = notified_on
    await deadlines.close_deadline(session, subject_id=motion.id, deadline="dissolution_notice")
    window = await deadlines.open_deadline(
        session,
        alliance_id=group.alliance_id,
        subject_type="motion",
        subject_id=motion.id,
        deadline="dissolution_objection",
        start_on=notified_on,
        recipient_users=leader_users(await members(session, group.id)),
        title_zh=f"推进组可向理事长办公会提出撤销异议：{group.name_zh}",
        title_en=f"{group.name_en} may object to its dissolution",
    )
    await _publish(
        session,
        WorkingGroupDissolutionNotified(
            **_about(group, holder_users(await members(session, group.id)), "AITISA Art.6"),
            ground=group.dissolution_ground or "",
            reasons=group.dissolution_reasons or "",
            notified_on=notified_on,
            objection_due_on=window.due_on,
        ),
    )
    await session.flush()
    return group


async def object_to_dissolution(
    session: AsyncSession, principal: Principal, group_id: uuid.UUID, objection: str
) -> WorkingGroup:
    """The group objects to the chair's office meeting within 10 days of the notice
    (AITISA Art.6); after its window, ``WINDOW_CLOSED``."""
    group = await group_for_update(session, group_id)
    rows = await members(session, group.id)
    if not principal.operator and principal.user_id not in leader_users(rows):
        raise Forbidden("the group objects through its leader or a co-leader")
    if group.dissolution_route != SECRETARY_GENERAL_ROUTE or group.dissolution_motion_id is None:
        raise DomainError("no motion to dissolve this group is under way", code="NO_DISSOLUTION")
    if group.dissolution_notified_on is None:
        raise DomainError("the group has not been told of the motion yet", code="NOTICE_NOT_GIVEN")
    if group.objected_on is not None:
        raise DomainError("the group objected already", code="ALREADY_OBJECTED")
    if not objection.strip():
        raise DomainError("an objection gives its grounds")
    motion_id = group.dissolution_motion_id
    await deadlines.require_open(
        session, subject_id=motion_id, deadline="dissolution_objection", on=today()
    )
    group.objection, group.objected_on = objection.strip(), today()
    await deadlines.close_deadline(session, subject_id=motion_id, deadline="dissolution_objection")
    await _publish(
        session,
        WorkingGroupDissolutionObjected(
            **_about(group, holder_users(rows), "AITISA Art.6"),
            objection=group.objection,
            objected_on=group.objected_on,
        ),
    )
    await session.flush()
    return group


async def _dissolve(session: AsyncSession, group: WorkingGroup, motion: Motion) -> None:
    rows = await members(session, group.id)
    group.status, group.dissolved_on = DISSOLVED, today()
    for seat in rows:
        await seats.leave_group(
            session, seat, on=group.dissolved_on, reason="the group was dissolved (AITISA Art.6)"
        )
    await _publish(
        session,
        WorkingGroupDissolved(
            **_about(group, holder_users(rows), "AITISA Art.6"),
            route=group.dissolution_route or MEMBERS_ROUTE,
            motion_id=motion.id,
            dissolved_on=group.dissolved_on,
        ),
    )


# --------------------------------------------------------------------------- renaming (Art.5)


async def propose_rename(
    session: AsyncSession,
    principal: Principal,
    group_id: uuid.UUID,
    *,
    name_zh: str,
    name_en: str,
) -> Motion:
    """The group's plenary applies to rename it (AITISA Art.5: 推进组全体成员会议作出更名申请):
    a motion of the group's meeting, then the secretariat's review, then the chair's office."""
    group = await group_for_update(session, group_id)
    _require_approved(group)
    slug = await _slug(session, group.alliance_id)
    if _may_act_for_group(principal, slug, await members(session, group.id)) is None:
        raise Forbidden("the group's leader, a co-leader or the secretariat puts motions forward")
    if not (name_zh.strip() and name_en.strip()):
        raise DomainError("the new name is given in Chinese and English")
    if group.rename_motion_id is not None:
        raise DomainError("a renaming of this group is under way", code="RENAME_PENDING")
    motion = await motions.for_working_group(
        session,
        alliance_id=group.alliance_id,
        group_id=group.id,
        body=GROUP,
        matter=MatterKind.WORKING_GROUP_RENAME,
        title=f"推进组更名：{group.name_zh} → {name_zh.strip()}",
        proposed_by=principal.user_id,
        origin=f"proposed by {principal.user_id} for {group.name_zh} (AITISA Art.5)",
        procedure=RENAME_PROCEDURE,
    )
    group.rename_motion_id = motion.id
    group.proposed_name_zh, group.proposed_name_en = name_zh.strip(), name_en.strip()
    group.rename_reviewed_on = None
    await session.flush()
    return motion


async def review_rename(
    session: AsyncSession,
    principal: Principal,
    group_id: uuid.UUID,
    *,
    forward: bool = True,
    reasons: str = "",
) -> WorkingGroup:
    """The secretariat's review of the plenary's renaming (AITISA Art.5: 报秘书处初审): sent on
    to the chair's office meeting, which approves it, or declined with the reasons (the group
    keeps its name)."""
    group = await group_for_update(session, group_id)
    slug = await _slug(session, group.alliance_id)
    if not (principal.operator or principal.has_role(slug, "secretariat")):
        raise Forbidden("the secretariat reviews a renaming (AITISA Art.5)")
    motion = await session.get(Motion, group.rename_motion_id) if group.rename_motion_id else None
    first = (
        await session.scalar(
            sa.select(Stage.status).where(Stage.motion_id == motion.id, Stage.index == 0)
        )
        if motion
        else None
    )
    if motion is None or first != "closed" or motion.status != "pending":
        raise DomainError(
            "the group's plenary has not applied to rename it (AITISA Art.5)", code="NO_RENAME"
        )
    if group.rename_reviewed_on is not None:
        raise DomainError("the secretariat reviewed it already", code="ALREADY_REVIEWED")
    if not forward:
        await _decline_at_review(session, group, motion, reasons, rule="AITISA Art.5")
        group.rename_motion_id = group.proposed_name_zh = group.proposed_name_en = None
        await session.flush()
        return group
    group.rename_reviewed_on = today()
    await session.flush()
    return group


async def _decline_at_review(
    session: AsyncSession, group: WorkingGroup, motion: Motion, reasons: str, *, rule: str
) -> None:
    """The secretariat's review ends the motion (status ``declined``; its later stages are
    skipped), with the reasons, told to the group's members."""
    if not reasons.strip():
        raise DomainError(
            f"an application the secretariat does not send on is declined with the reasons "
            f"({rule})",
            code="REASONS_REQUIRED",
        )
    motion.status, motion.declined_reasons = "declined", reasons.strip()
    motion.decided_at = datetime.now(UTC)
    await session.execute(
        sa.update(Stage)
        .where(Stage.motion_id == motion.id, Stage.status == "pending")
        .values(status="skipped")
    )
    await _publish(
        session,
        WorkingGroupReviewDeclined(
            **_about(group, holder_users(await members(session, group.id)), rule),
            matter=motion.matter,
            motion_id=motion.id,
            reasons=motion.declined_reasons,
            reviewed_on=today(),
        ),
    )


async def _renamed(session: AsyncSession, group: WorkingGroup, motion: Motion) -> None:
    former = (group.name_zh, group.name_en)
    assert group.proposed_name_zh and group.proposed_name_en
    group.name_zh, group.name_en = group.proposed_name_zh, group.proposed_name_en
    group.rename_motion_id = group.proposed_name_zh = group.proposed_name_en = None
    group.rename_reviewed_on = None
    await _publish(
        session,
        WorkingGroupRenamed(
            **_about(group, holder_users(await members(session, group.id)), "AITISA Art.5"),
            former_name_zh=former[0],
            former_name_en=former[1],
            motion_id=motion.id,
            renamed_on=today(),
        ),
    )


# ------------------------------------------------------------------- activity rules (Art.14)


async def propose_rules(
    session: AsyncSession, principal: Principal, group_id: uuid.UUID, text: str
) -> Motion:
    """The group draws up its own activity rules (a motion of its meeting); they apply only
    once the chair's office meeting approves them (AITISA Art.14)."""
    group = await group_for_update(session, group_id)
    _require_approved(group)
    slug = await _slug(session, group.alliance_id)
    if _may_act_for_group(principal, slug, await members(session, group.id)) is None:
        raise Forbidden("the group's leader, a co-leader or the secretariat puts motions forward")
    if not text.strip():
        raise DomainError("the motion gives the text of the rules")
    if group.rules_motion_id is not None:
        raise DomainError("the group's rules are being decided", code="RULES_PENDING")
    motion = await motions.for_working_group(
        session,
        alliance_id=group.alliance_id,
        group_id=group.id,
        body=GROUP,
        matter=MatterKind.WORKING_GROUP_RULES,
        title=f"推进组活动细则：{group.name_zh}",
        proposed_by=principal.user_id,
        origin=f"proposed by {principal.user_id} for {group.name_zh} (AITISA Art.14)",
        procedure=RULES_PROCEDURE,
    )
    group.rules_motion_id, group.proposed_rules = motion.id, text.strip()
    await session.flush()
    return motion


async def _rules_approved(session: AsyncSession, group: WorkingGroup, motion: Motion) -> None:
    group.rules, group.rules_approved_on = group.proposed_rules, today()
    group.rules_motion_id = group.proposed_rules = None
    await _publish(
        session,
        WorkingGroupRulesApproved(
            **_about(group, holder_users(await members(session, group.id)), "AITISA Art.14"),
            motion_id=motion.id,
            approved_on=group.rules_approved_on,
        ),
    )


# --------------------------------------------------------------------------- evaluation (Art.11)


async def evaluations_of(
    session: AsyncSession, group_ids: Sequence[uuid.UUID]
) -> list[list[WorkingGroupEvaluation]]:
    rows = (
        await session.scalars(
            sa.select(WorkingGroupEvaluation)
            .where(WorkingGroupEvaluation.group_id.in_(set(group_ids)))
            .order_by(WorkingGroupEvaluation.year)
        )
    ).all()
    return grouped(rows, group_ids, lambda r: r.group_id)


async def report_year(
    session: AsyncSession, principal: Principal, group_id: uuid.UUID, *, year: int, report: str
) -> WorkingGroupEvaluation:
    """The group reports its year's work in writing to the secretariat (AITISA Art.11, 8(7))."""
    group = await group_for_update(session, group_id)
    _require_approved(group)
    slug = await _slug(session, group.alliance_id)
    if _may_act_for_group(principal, slug, await members(session, group.id)) is None:
        raise Forbidden("the group reports through its leader or a co-leader (AITISA Art.8(7))")
    if not report.strip():
        raise DomainError("the report is in writing: give its text", code="REPORT_INCOMPLETE")
    if year > today().year:
        raise DomainError("a year is reported once it has begun", code="BAD_YEAR")
    found = await session.scalar(
        sa.select(WorkingGroupEvaluation.id).where(
            WorkingGroupEvaluation.group_id == group.id, WorkingGroupEvaluation.year == year
        )
    )
    if found is not None:
        raise DomainError(f"the group reported on {year} already", code="ALREADY_REPORTED")
    row = WorkingGroupEvaluation(
        id=uuid.uuid4(),
        alliance_id=group.alliance_id,
        group_id=group.id,
        year=year,
        report=report.strip(),
        reported_by=principal.user_id,
        reported_on=today(),
        status="reported",
    )
    session.add(row)
    await session.flush()
    return row


async def evaluate(
    session: AsyncSession,
    principal: Principal,
    evaluation_id: uuid.UUID,
    *,
    result: WorkingGroupEvaluationResult,
    findings: str,
    corrective_actions: str | None,
) -> WorkingGroupEvaluation:
    """The secretariat evaluates the year; the chair's office meeting approves the result
    (a pending motion of it) before it is published (AITISA Art.11)."""
    row = await session.get(WorkingGroupEvaluation, evaluation_id, with_for_update=True)
    if row is None:
        raise NotFound("no such evaluation")
    group = await group_for_update(session, row.group_id)
    slug = await _slug(session, group.alliance_id)
    if not (principal.operator or principal.has_role(slug, "secretariat")):
        raise Forbidden("the secretariat evaluates the working groups (AITISA Art.11)")
    if row.status not in ("reported", "returned"):
        raise DomainError(f"this evaluation is {row.status}", code="ALREADY_EVALUATED")
    if not findings.strip():
        raise DomainError("the evaluation states its findings")
    actions = (corrective_actions or "").strip() or None
    if result is WorkingGroupEvaluationResult.WARNING and actions is None:
        raise DomainError(
            "a warning comes with corrective actions (AITISA Art.11: 提出警告和整改意见)",
            code="CORRECTIVE_ACTIONS_REQUIRED",
        )
    motion = await motions.for_working_group(
        session,
        alliance_id=group.alliance_id,
        group_id=group.id,
        body=CHAIRS_OFFICE,
        matter=MatterKind.WORKING_GROUP_EVALUATION,
        title=f"推进组{row.year}年度评估：{group.name_zh}（{result.value}）",
        proposed_by=principal.user_id,
        origin=f"evaluated by the secretariat ({principal.user_id}), AITISA Art.11",
    )
    row.status, row.result = "evaluated", result.value
    row.findings, row.corrective_actions = findings.strip(), actions
    row.evaluated_on, row.motion_id = today(), motion.id
    await session.flush()
    return row


async def _evaluation_decided(session: AsyncSession, group: WorkingGroup, motion: Motion) -> None:
    row = await session.scalar(
        sa.select(WorkingGroupEvaluation)
        .where(WorkingGroupEvaluation.motion_id == motion.id)
        .with_for_update()
    )
    if row is None:
        return
    if motion.status != "passed":
        row.status = "returned"  # the secretariat evaluates again
        return
    row.status, row.approved_on = "approved", today()
    assert row.result is not None
    await _publish(
        session,
        WorkingGroupEvaluated(
            **_about(group, holder_users(await members(session, group.id)), "AITISA Art.11"),
            evaluation_id=row.id,
            year=row.year,
            result=WorkingGroupEvaluationResult(row.result),
            findings=row.findings or "",
            corrective_actions=row.corrective_actions,
            motion_id=motion.id,
            approved_on=row.approved_on,
        ),
        subject=row.id,
    )


# --------------------------------------------------------------------------- the year's meetings


async def note_missed_meetings(session: AsyncSession, today_: date) -> int:
    """Publish, once per group and year, that a group approved before the year began held
    fewer working meetings in it than AITISA Art.10(1) asks (at least two). Kept in
    ``minimum_notices`` under the body ``wg:<group>``. Returns how many were noted."""
    from sqlalchemy.dialects.postgresql import insert

    year = today_.year - 1
    groups = (
        await session.scalars(
            sa.select(WorkingGroup).where(
                WorkingGroup.decided_on < date(year, 1, 1),
                sa.or_(
                    WorkingGroup.status == APPROVED,
                    WorkingGroup.dissolved_on >= date(year + 1, 1, 1),
                ),
            )
        )
    ).all()
    if not groups:
        return 0
    held = await held_in_year(session, [g.id for g in groups], year)
    noted = 0
    for group, count in zip(groups, held, strict=True):
        _, rules = await charters.in_force(session, group.alliance_id)
        minimum, rule = meeting_minimum(rules)
        if count >= minimum:
            continue
        inserted = (
            await session.execute(
                insert(MinimumNotice)
                .values(
                    alliance_id=group.alliance_id,
                    body=f"wg:{group.id.hex}",
                    year=year,
                    held=count,
                    minimum=minimum,
                )
                .on_conflict_do_nothing()
                .returning(MinimumNotice.year)
            )
        ).first()
        if inserted is None:
            continue
        noted += 1
        rows = await members(session, group.id)
        await _publish(
            session,
            WorkingGroupMeetingsMissed(
                **_about(group, leader_users(rows), rule), year=year, held=count, minimum=minimum
            ),
        )
    return noted
