"""Working groups in governance's subgraph (AITISA Art.4-9; translation only, the rules are
in :mod:`governance.working_groups`)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from enum import StrEnum

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from charter.ids import MatterKind, MeetingMode
from charter.model import WorkingGroupRules
from contracts.governance import WorkingGroupEvaluationResult
from governance import charters, meetings, models, seats, working_groups
from governance.graphql.deadlines import Deadline, deadlines_of
from governance.graphql.types import Meeting, Motion, Seat, loader
from servicekit.graphql import DomainError, Info
from servicekit.graphql.ids import parse_id
from servicekit.tenancy import alliance_id


@strawberry.enum(description="Where a working group stands (AITISA Art.4, 6).")
class WorkingGroupStatus(StrEnum):
    APPLIED = "applied"
    """Filed; the secretariat answers within 10 working days (Art.4(2))."""
    FORWARDED = "forwarded"
    """The secretariat sent it to the chair's office meeting."""
    DECLINED = "declined"
    """The secretariat did not send it on, with its reasons."""
    APPROVED = "approved"
    """Set up by the chair's office meeting: it may meet and take motions."""
    REJECTED = "rejected"
    DISSOLVED = "dissolved"


@strawberry.enum(description="A post in a working group (AITISA Art.7(3)).")
class WorkingGroupPost(StrEnum):
    GROUP_LEADER = "group_leader"
    GROUP_CO_LEADER = "group_co_leader"


strawberry.enum(
    WorkingGroupEvaluationResult,
    name="WorkingGroupEvaluationResult",
    description="commendation, satisfactory, or a warning with corrective actions (Art.11).",
)


@strawberry.type(description="A group's year: report, evaluation, approval (AITISA Art.11).")
class WorkingGroupEvaluation:
    id: strawberry.ID
    year: int
    report: str
    reported_on: date
    status: str = strawberry.field(description="reported | evaluated | approved | returned")
    result: WorkingGroupEvaluationResult | None
    findings: str | None
    corrective_actions: str | None
    evaluated_on: date | None
    motion_id: strawberry.ID | None = strawberry.field(
        description="the chair's office motion that approves it"
    )
    approved_on: date | None

    @classmethod
    def from_row(cls, row: models.WorkingGroupEvaluation) -> WorkingGroupEvaluation:
        return cls(
            id=strawberry.ID(str(row.id)),
            year=row.year,
            report=row.report,
            reported_on=row.reported_on,
            status=row.status,
            result=WorkingGroupEvaluationResult(row.result) if row.result else None,
            findings=row.findings,
            corrective_actions=row.corrective_actions,
            evaluated_on=row.evaluated_on,
            motion_id=strawberry.ID(str(row.motion_id)) if row.motion_id else None,
            approved_on=row.approved_on,
        )


@strawberry.type(description="An applying organisation and its contact (AITISA Art.4(1)).")
class WorkingGroupInitiator:
    organization_id: strawberry.ID
    organization_name: str
    lead: bool = strawberry.field(description="the lead organisation (主要发起单位)")
    contact_user_id: str
    contact_name: str


@strawberry.type(description="A member's application to join a group (AITISA Art.7(1)).")
class WorkingGroupRequest:
    id: strawberry.ID
    group_id: strawberry.ID
    organization_id: strawberry.ID
    organization_name: str
    representative_user_id: str
    representative_name: str
    status: str = strawberry.field(description="pending | admitted | refused")
    reason: str | None

    @classmethod
    def from_row(cls, row: models.WorkingGroupRequest) -> WorkingGroupRequest:
        return cls(
            id=strawberry.ID(str(row.id)),
            group_id=strawberry.ID(str(row.group_id)),
            organization_id=strawberry.ID(str(row.organization_id)),
            organization_name=row.organization_name,
            representative_user_id=row.representative_user_id,
            representative_name=row.representative_name,
            status=row.status,
            reason=row.reason,
        )


@strawberry.type(description="A working group (推进组) of the alliance, AITISA Art.1-14.")
class WorkingGroup:
    id: strawberry.ID
    row: strawberry.Private[models.WorkingGroup]
    name_zh: str
    name_en: str
    kind: str = strawberry.field(description="domain | regional (Art.3)")
    status: WorkingGroupStatus
    lead_organization_id: strawberry.ID
    positioning: str
    field: str
    current_state: str
    necessity: str
    mode_of_operation: str
    overlap: str = strawberry.field(description="overlap with existing groups (Art.4(1))")
    filed_on: date
    answered_on: date | None
    answer_reasons: str | None
    decided_on: date | None
    rejection_reasons: str | None
    rejection_notified_on: date | None
    dissolution_route: str | None = strawberry.field(
        description="members | secretary_general (Art.6)"
    )
    dissolution_ground: str | None
    dissolution_reasons: str | None
    dissolution_reviewed_on: date | None
    dissolution_notified_on: date | None
    objection: str | None
    objected_on: date | None
    dissolved_on: date | None
    proposed_name_zh: str | None = strawberry.field(
        description="the new name the plenary applied for, while it is decided (Art.5)"
    )
    proposed_name_en: str | None
    rename_reviewed_on: date | None
    rules: str | None = strawberry.field(
        description="its own activity rules, in force once the chair's office approved them "
        "(Art.14)"
    )
    rules_approved_on: date | None
    proposed_rules: str | None = strawberry.field(
        description="rules the group drew up, awaiting the chair's office (Art.14)"
    )

    @classmethod
    def from_row(cls, row: models.WorkingGroup) -> WorkingGroup:
        return cls(
            id=strawberry.ID(str(row.id)),
            row=row,
            name_zh=row.name_zh,
            name_en=row.name_en,
            kind=row.kind,
            status=WorkingGroupStatus(row.status),
            lead_organization_id=strawberry.ID(str(row.lead_organization_id)),
            positioning=row.positioning,
            field=row.field,
            current_state=row.current_state,
            necessity=row.necessity,
            mode_of_operation=row.mode_of_operation,
            overlap=row.overlap,
            filed_on=row.filed_on,
            answered_on=row.answered_on,
            answer_reasons=row.answer_reasons,
            decided_on=row.decided_on,
            rejection_reasons=row.rejection_reasons,
            rejection_notified_on=row.rejection_notified_on,
            dissolution_route=row.dissolution_route,
            dissolution_ground=row.dissolution_ground,
            dissolution_reasons=row.dissolution_reasons,
            dissolution_reviewed_on=row.dissolution_reviewed_on,
            dissolution_notified_on=row.dissolution_notified_on,
            objection=row.objection,
            objected_on=row.objected_on,
            dissolved_on=row.dissolved_on,
            proposed_name_zh=row.proposed_name_zh,
            proposed_name_en=row.proposed_name_en,
            rename_reviewed_on=row.rename_reviewed_on,
            rules=row.rules,
            rules_approved_on=row.rules_approved_on,
            proposed_rules=row.proposed_rules,
        )

    @strawberry.field(description="The applying organisations, the lead one first.")
    async def initiators(self, info: Info) -> list[WorkingGroupInitiator]:
        rows = await loader(info, working_groups.initiators_of, "wg_initiators").load(self.row.id)
        return [
            WorkingGroupInitiator(
                organization_id=strawberry.ID(str(r.organization_id)),
                organization_name=r.organization_name,
                lead=r.lead,
                contact_user_id=r.contact_user_id,
                contact_name=r.contact_name,
            )
            for r in sorted(rows, key=lambda r: not r.lead)
        ]

    @strawberry.field(description="Its members (one seat per organisation), with their posts.")
    async def members(self, info: Info) -> list[Seat]:
        rows = await loader(info, seats.seats_of_groups, "wg_members").load(self.row.id)
        return [Seat.from_row(r) for r in rows]

    @strawberry.field(description="Its annual evaluations, oldest first (Art.11).")
    async def evaluations(self, info: Info) -> list[WorkingGroupEvaluation]:
        rows = await loader(info, working_groups.evaluations_of, "wg_evaluations").load(self.row.id)
        return [WorkingGroupEvaluation.from_row(r) for r in rows]

    @strawberry.field(description="Applications to join it.")
    async def requests(self, info: Info) -> list[WorkingGroupRequest]:
        rows = await loader(info, working_groups.requests_of, "wg_requests").load(self.row.id)
        return [WorkingGroupRequest.from_row(r) for r in rows]

    @strawberry.field(description="The fewest members a group may have (AITISA Art.7(2)).")
    async def minimum_members(self, info: Info) -> int:
        return (await self._rules(info)).min_members.value

    @strawberry.field(
        description="Fewer members than AITISA Art.7(2) asks: a ground of dissolution (Art.6)."
    )
    async def below_minimum(self, info: Info) -> bool:
        rows = await loader(info, seats.seats_of_groups, "wg_members").load(self.row.id)
        return (
            self.row.status == "approved"
            and len(rows) < (await self._rules(info)).min_members.value
        )

    @strawberry.field(description="Working meetings held in a year (default: this year).")
    async def meetings_held(self, info: Info, year: int | None = None) -> int:
        async with info.context.tx.use() as session:
            found = await working_groups.held_in_year(
                session, [self.row.id], year or datetime.now(UTC).year
            )
        return found[0]

    @strawberry.field(description="Working meetings a year the rules ask for (AITISA Art.10(1)).")
    async def meetings_required(self, info: Info) -> int:
        found = await loader(info, charters.in_force_of, "charters_in_force").load(
            self.row.alliance_id
        )
        return working_groups.meeting_minimum(found[1])[0] if found else 0

    @strawberry.field(
        description="Its charter deadlines: the secretariat's answer (Art.4(2)), the notice of "
        "a rejection (Art.4(3)), each counted on the alliance's calendar."
    )
    async def deadlines(self, info: Info) -> list[Deadline]:
        return await deadlines_of(info, self.row.id)

    @strawberry.field(
        description="The deadlines of the dissolution motion under way: the written notice "
        "and the group's objection (Art.6)."
    )
    async def dissolution_deadlines(self, info: Info) -> list[Deadline]:
        if self.row.dissolution_motion_id is None:
            return []
        return await deadlines_of(info, self.row.dissolution_motion_id)

    @strawberry.field(description="The chair's office motion that decides whether it is set up.")
    async def creation_motion(self, info: Info) -> Motion | None:
        if self.row.creation_motion_id is None:
            return None
        return await Motion.resolve_reference(info, strawberry.ID(str(self.row.creation_motion_id)))

    @strawberry.field(description="The motion to dissolve it under way, if any (Art.6).")
    async def dissolution_motion(self, info: Info) -> Motion | None:
        if self.row.dissolution_motion_id is None:
            return None
        return await Motion.resolve_reference(
            info, strawberry.ID(str(self.row.dissolution_motion_id))
        )

    async def _rules(self, info: Info) -> WorkingGroupRules:
        found = await loader(info, charters.in_force_of, "charters_in_force").load(
            self.row.alliance_id
        )
        if found is None:
            raise DomainError("governance has not received this alliance's charter yet")
        return working_groups.rules_of(found[1])


async def working_group(info: Info, id: strawberry.ID) -> WorkingGroup | None:
    found = await loader(info, working_groups.groups_by_id, "wg_by_id").load(
        parse_id(id, "working group")
    )
    return WorkingGroup.from_row(found) if found else None


async def working_groups_of(info: Info, alliance: uuid.UUID) -> list[WorkingGroup]:
    rows = await loader(info, working_groups.groups_of, "wg_of").load(alliance)
    return [WorkingGroup.from_row(r) for r in rows]


@asynccontextmanager
async def acting(info: Info) -> AsyncIterator[AsyncSession]:
    """The session widened to every alliance the caller holds any role in, a contact person's
    included: the domain functions decide who may act (an initiator's contact, the group's
    leader, the lead organisation's contact, the secretariat)."""
    principal = info.context.principal
    async with info.context.tx.widened(
        [alliance_id(slug) for slug in principal.alliance_roles]
    ) as session:
        yield session


# --------------------------------------------------------------------------- inputs


@strawberry.input
class InitiatorInput:
    organization: strawberry.ID
    contact_user_id: str
    contact_name: str


@strawberry.input(description="A joint application to found a group (AITISA Art.4(1), Annex 1).")
class WorkingGroupApplicationInput:
    alliance: str = strawberry.field(description="the alliance's slug")
    name_zh: str
    name_en: str
    kind: str = strawberry.field(description="domain | regional (Art.3)")
    lead_organization: strawberry.ID
    initiators: list[InitiatorInput] = strawberry.field(
        description="every applying organisation, the lead one included"
    )
    positioning: str
    field: str
    current_state: str
    necessity: str
    mode_of_operation: str
    overlap: str
    received_on: date | None = strawberry.field(
        default=None,
        description="the day the secretariat received the written application, when it "
        "records a paper one later (secretariat; default today): the 10 working days of "
        "Art.4(2) run from it",
    )


@strawberry.input
class WorkingGroupMeetingInput:
    title: str
    mode: MeetingMode
    starts_at: datetime
    place: str | None = None
    link: str | None = None
    voting_deadline: datetime | None = None
    agenda: list[strawberry.ID] = strawberry.field(default_factory=list)


def _aware(value: datetime | None, what: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise DomainError(f"{what} needs a time zone (e.g. 2026-12-01T10:00:00+08:00)")
    return value


# --------------------------------------------------------------------------- mutations


@strawberry.type
class WorkingGroupMutations:
    @strawberry.mutation(description="Apply jointly to found a working group (AITISA Art.4(1)).")
    async def apply_for_working_group(
        self, info: Info, input: WorkingGroupApplicationInput
    ) -> WorkingGroup:
        spec = working_groups.Application(
            name_zh=input.name_zh,
            name_en=input.name_en,
            kind=input.kind,
            lead_organization_id=parse_id(input.lead_organization, "organisation"),
            initiators=[
                working_groups.Initiator(
                    organization_id=parse_id(i.organization, "organisation"),
                    contact_user_id=i.contact_user_id,
                    contact_name=i.contact_name,
                )
                for i in input.initiators
            ],
            positioning=input.positioning,
            field=input.field,
            current_state=input.current_state,
            necessity=input.necessity,
            mode_of_operation=input.mode_of_operation,
            overlap=input.overlap,
            received_on=input.received_on,
        )
        async with acting(info) as session:
            row = await working_groups.apply(session, info.context.principal, input.alliance, spec)
        return WorkingGroup.from_row(row)

    @strawberry.mutation(
        description="The secretariat's written answer: to the chair's office meeting, or not "
        "with reasons (AITISA Art.4(2))."
    )
    async def answer_working_group_application(
        self, info: Info, group: strawberry.ID, forward: bool, reasons: str | None = None
    ) -> WorkingGroup:
        async with acting(info) as session:
            row = await working_groups.answer(
                session,
                info.context.principal,
                parse_id(group, "working group"),
                forward=forward,
                reasons=reasons,
            )
        return WorkingGroup.from_row(row)

    @strawberry.mutation(
        description="Tell the initiators the result and reasons of a rejection (Art.4(3))."
    )
    async def notify_working_group_rejection(
        self, info: Info, group: strawberry.ID, reasons: str
    ) -> WorkingGroup:
        async with acting(info) as session:
            row = await working_groups.notify_rejection(
                session, info.context.principal, parse_id(group, "working group"), reasons
            )
        return WorkingGroup.from_row(row)

    @strawberry.mutation(description="Convene a working meeting of an approved group (Art.8(2)).")
    async def convene_working_group_meeting(
        self, info: Info, group: strawberry.ID, input: WorkingGroupMeetingInput
    ) -> Meeting:
        starts_at = _aware(input.starts_at, "startsAt")
        assert starts_at is not None
        spec = meetings.Convening(
            body=working_groups.GROUP,
            title=input.title,
            mode=input.mode.value,
            starts_at=starts_at,
            place=input.place,
            link=input.link,
            voting_deadline=_aware(input.voting_deadline, "votingDeadline"),
            agenda=[parse_id(a, "motion") for a in input.agenda],
        )
        async with acting(info) as session:
            row = await working_groups.convene(
                session, info.context.principal, parse_id(group, "working group"), spec
            )
        return Meeting.from_row(row)

    @strawberry.mutation(description="Put a motion to an approved group's meeting (Art.10(1)).")
    async def propose_working_group_motion(
        self, info: Info, group: strawberry.ID, matter: MatterKind, title: str
    ) -> Motion:
        async with acting(info) as session:
            row = await working_groups.propose(
                session,
                info.context.principal,
                parse_id(group, "working group"),
                matter=matter,
                title=title,
            )
        return Motion.from_row(row)

    @strawberry.mutation(description="A member of the alliance applies to join (Art.7(1)).")
    async def request_to_join_working_group(
        self,
        info: Info,
        group: strawberry.ID,
        organization: strawberry.ID,
        representative_user_id: str,
        representative_name: str,
    ) -> WorkingGroupRequest:
        async with acting(info) as session:
            row = await working_groups.request_to_join(
                session,
                info.context.principal,
                parse_id(group, "working group"),
                organization_id=parse_id(organization, "organisation"),
                representative_user_id=representative_user_id,
                representative_name=representative_name,
            )
        return WorkingGroupRequest.from_row(row)

    @strawberry.mutation(description="The group leader admits an application, or not (Art.7(2)).")
    async def decide_working_group_request(
        self, info: Info, request: strawberry.ID, admit: bool, reason: str | None = None
    ) -> WorkingGroupRequest:
        async with acting(info) as session:
            row = await working_groups.decide_request(
                session,
                info.context.principal,
                parse_id(request, "application"),
                admit=admit,
                reason=reason,
            )
        return WorkingGroupRequest.from_row(row)

    @strawberry.mutation(
        description="The leader or a co-leader, recommended by the lead organisation (Art.7(3))."
    )
    async def fill_working_group_post(
        self,
        info: Info,
        group: strawberry.ID,
        organization: strawberry.ID,
        user_id: str,
        name: str,
        post: WorkingGroupPost,
    ) -> Seat:
        async with acting(info) as session:
            row = await working_groups.fill_post(
                session,
                info.context.principal,
                parse_id(group, "working group"),
                organization_id=parse_id(organization, "organisation"),
                user_id=user_id,
                name=name,
                post=post.value,
            )
        return Seat.from_row(row)

    @strawberry.mutation(description="A member leaves its working group freely (Art.9(3)).")
    async def leave_working_group(self, info: Info, seat: strawberry.ID) -> Seat:
        async with acting(info) as session:
            row = await working_groups.leave(
                session, info.context.principal, parse_id(seat, "seat")
            )
        return Seat.from_row(row)

    @strawberry.mutation(
        description="The secretariat's review of the members' application to dissolve (Art.6): "
        "sent on to the chair's office meeting, or (forward: false) declined with the reasons."
    )
    async def review_working_group_dissolution(
        self, info: Info, group: strawberry.ID, reasons: str = "", forward: bool = True
    ) -> WorkingGroup:
        async with acting(info) as session:
            row = await working_groups.review_dissolution(
                session,
                info.context.principal,
                parse_id(group, "working group"),
                reasons,
                forward=forward,
            )
        return WorkingGroup.from_row(row)

    @strawberry.mutation(
        description="The group's plenary applies to rename it: a motion of its meeting (Art.5)."
    )
    async def propose_working_group_rename(
        self, info: Info, group: strawberry.ID, name_zh: str, name_en: str
    ) -> Motion:
        async with acting(info) as session:
            row = await working_groups.propose_rename(
                session,
                info.context.principal,
                parse_id(group, "working group"),
                name_zh=name_zh,
                name_en=name_en,
            )
        return Motion.from_row(row)

    @strawberry.mutation(
        description="The secretariat's review of a renaming (Art.5): sent on to the chair's "
        "office meeting, or (forward: false) declined with the reasons."
    )
    async def review_working_group_rename(
        self, info: Info, group: strawberry.ID, forward: bool = True, reasons: str = ""
    ) -> WorkingGroup:
        async with acting(info) as session:
            row = await working_groups.review_rename(
                session,
                info.context.principal,
                parse_id(group, "working group"),
                forward=forward,
                reasons=reasons,
            )
        return WorkingGroup.from_row(row)

    @strawberry.mutation(
        description="The group's own activity rules: its motion, then the chair's office (Art.14)."
    )
    async def propose_working_group_rules(
        self, info: Info, group: strawberry.ID, text: str
    ) -> Motion:
        async with acting(info) as session:
            row = await working_groups.propose_rules(
                session, info.context.principal, parse_id(group, "working group"), text
            )
        return Motion.from_row(row)

    @strawberry.mutation(description="The group's written report on a year (Art.11, 8(7)).")
    async def report_working_group_year(
        self, info: Info, group: strawberry.ID, year: int, report: str
    ) -> WorkingGroupEvaluation:
        async with acting(info) as session:
            row = await working_groups.report_year(
                session,
                info.context.principal,
                parse_id(group, "working group"),
                year=year,
                report=report,
            )
        return WorkingGroupEvaluation.from_row(row)

    @strawberry.mutation(
        description="The secretariat's evaluation of a group's year, for the chair's office "
        "to approve (Art.11)."
    )
    async def evaluate_working_group(
        self,
        info: Info,
        evaluation: strawberry.ID,
        result: WorkingGroupEvaluationResult,
        findings: str,
        corrective_actions: str | None = None,
    ) -> WorkingGroupEvaluation:
        async with acting(info) as session:
            row = await working_groups.evaluate(
                session,
                info.context.principal,
                parse_id(evaluation, "evaluation"),
                result=result,
                findings=findings,
                corrective_actions=corrective_actions,
            )
        return WorkingGroupEvaluation.from_row(row)

    @strawberry.mutation(description="The secretary-general moves to dissolve a group (Art.6).")
    async def move_working_group_dissolution(
        self,
        info: Info,
        group: strawberry.ID,
        ground: str,
        reasons: str,
        moved_on: date | None = None,
    ) -> WorkingGroup:
        async with acting(info) as session:
            row = await working_groups.move_dissolution(
                session,
                info.context.principal,
                parse_id(group, "working group"),
                ground=ground,
                reasons=reasons,
                moved_on=moved_on or datetime.now(UTC).date(),
            )
        return WorkingGroup.from_row(row)

    @strawberry.mutation(
        description="Record the written notice of the dissolution motion to the group (Art.6)."
    )
    async def notify_working_group_dissolution(
        self, info: Info, group: strawberry.ID, notified_on: date | None = None
    ) -> WorkingGroup:
        async with acting(info) as session:
            row = await working_groups.notify_dissolution(
                session,
                info.context.principal,
                parse_id(group, "working group"),
                notified_on=notified_on or datetime.now(UTC).date(),
            )
        return WorkingGroup.from_row(row)

    @strawberry.mutation(
        description="The group objects to its dissolution, within 10 days of the notice (Art.6)."
    )
    async def object_to_working_group_dissolution(
        self, info: Info, group: strawberry.ID, objection: str
    ) -> WorkingGroup:
        async with acting(info) as session:
            row = await working_groups.object_to_dissolution(
                session, info.context.principal, parse_id(group, "working group"), objection
            )
        return WorkingGroup.from_row(row)
