"""Membership's Mutation root: each mutation translates its input and calls one command."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from datetime import date
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from membership import alliances, applications, memberships, models, queries, roles
from membership.applications import ApplicationInput, Decision
from membership.graphql.alliance import Alliance
from membership.graphql.application import Application
from membership.graphql.calendars import CalendarSchedule, load_calendar_schedule
from membership.graphql.common import MembershipTier, Person
from membership.graphql.inputs import (
    AssignRoleInput,
    CharterChangeInput,
    ContactPersonInput,
    CreateAllianceInput,
    DecisionInput,
    MaterialInput,
    SubmitApplicationInput,
)
from membership.graphql.membership import Membership
from membership.memberships import ContactInput
from membership.organizations import OrganizationInput as OrganizationData
from servicekit.graphql import Info
from servicekit.graphql.ids import parse_id
from servicekit.tenancy import alliance_id


async def _contact_scope(
    info: Info, model: type[models.Membership] | type[models.Application], id: strawberry.ID
) -> AbstractAsyncContextManager[AsyncSession]:
    """A write block in the alliance of a record the caller can see as its contact person
    (or as staff); the command decides whether the caller may act."""
    async with info.context.tx.use() as session:
        found = await queries.alliance_of(session, model, parse_id(id, model.__name__.lower()))
    return info.context.tx.widened([found] if found else [])


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Create an alliance from a charter template or file (platform operator)."
    )
    async def create_alliance(self, info: Info, input: CreateAllianceInput) -> Alliance:
        async with info.context.tx.widened([alliance_id(input.slug)]) as session:
            row = await alliances.create_alliance(
                session,
                info.context.principal,
                slug=input.slug,
                name_zh=input.name_zh,
                name_en=input.name_en,
                template=input.template,
                charter_yaml=input.charter_yaml,
            )
        return Alliance.from_row(row)

    @strawberry.mutation(
        description="Record an adopted amendment: a new charter version (platform operator)."
    )
    async def amend_charter(
        self, info: Info, alliance: str, changes: list[CharterChangeInput], note: str
    ) -> Alliance:
        async with info.context.tx.use() as session:
            row = await alliances.amend_charter(
                session, info.context.principal, alliance, {c.path: c.value for c in changes}, note
            )
        return Alliance.from_row(row)

    @strawberry.mutation(
        description="Load an official holiday schedule of a country and year, JSON or YAML "
        "(platform operator; `charter calendar schema` prints its shape). Every deadline counts "
        "on it from then on, and provisional deadlines of that year are recounted."
    )
    async def load_calendar_schedule(self, info: Info, schedule: str) -> CalendarSchedule:
        return await load_calendar_schedule(info, schedule)

    @strawberry.mutation(description="Record a person's role in an alliance.")
    async def assign_role(self, info: Info, input: AssignRoleInput) -> Person:
        async with info.context.tx.use() as session:
            assignment = await roles.assign(
                session,
                info.context.principal,
                input.alliance,
                user_id=input.user_id,
                name=input.name,
                role=input.role,
                organization_id=parse_id(input.organization_id, "organization")
                if input.organization_id
                else None,
            )
        return Person.from_row(assignment)

    @strawberry.mutation
    async def revoke_role(self, info: Info, id: strawberry.ID) -> Person:
        async with info.context.tx.use() as session:
            assignment = await roles.revoke(
                session, info.context.principal, parse_id(id, "role assignment")
            )
        return Person.from_row(assignment)

    @strawberry.mutation(
        description="Apply for membership with the charter's materials; the "
        "caller becomes the organisation's contact person."
    )
    async def submit_application(self, info: Info, input: SubmitApplicationInput) -> Application:
        async with info.context.tx.widened([alliance_id(input.alliance)]) as session:
            org = input.organization
            row = await applications.submit_admission(
                session,
                info.context.principal,
                input.alliance,
                ApplicationInput(
                    organization=OrganizationData(
                        org.name_zh,
                        org.name_en,
                        org.kind.value,
                        org.country,
                        org.registration_number,
                    ),
                    tier=input.tier.value,
                    contact_name=input.contact_name,
                    contact_email=input.contact_email,
                    materials=[m.data() for m in input.materials],
                ),
            )
        return Application.from_row(row)

    @strawberry.mutation(description="Apply to move to another tier (the contact person).")
    async def request_tier_change(
        self,
        info: Info,
        membership_id: strawberry.ID,
        tier: MembershipTier,
        reason: str | None = None,
    ) -> Application:
        async with await _contact_scope(info, models.Membership, membership_id) as session:
            row = await applications.request_tier_change(
                session,
                info.context.principal,
                parse_id(membership_id, "membership"),
                tier.value,
                reason,
            )
        return Application.from_row(row)

    @strawberry.mutation(
        description="Give written notice of (or apply for) withdrawal (the contact person)."
    )
    async def request_withdrawal(
        self, info: Info, membership_id: strawberry.ID, reason: str | None = None
    ) -> Application:
        async with await _contact_scope(info, models.Membership, membership_id) as session:
            row = await applications.request_withdrawal(
                session, info.context.principal, parse_id(membership_id, "membership"), reason
            )
        return Application.from_row(row)

    @strawberry.mutation(description="Propose an expulsion to the deciding body (secretariat).")
    async def propose_expulsion(
        self, info: Info, membership_id: strawberry.ID, grounds: str
    ) -> Application:
        async with info.context.tx.use() as session:
            row = await applications.propose_expulsion(
                session, info.context.principal, parse_id(membership_id, "membership"), grounds
            )
        return Application.from_row(row)

    @strawberry.mutation(description="Preliminary review passed: forward to the deciding body.")
    async def forward_application(
        self, info: Info, id: strawberry.ID, note: str | None = None
    ) -> Application:
        async with info.context.tx.use() as session:
            row = await applications.forward(
                session, info.context.principal, parse_id(id, "application"), note
            )
        return Application.from_row(row)

    @strawberry.mutation(description="Return an application for correction, with reasons.")
    async def return_application(self, info: Info, id: strawberry.ID, reasons: str) -> Application:
        async with info.context.tx.use() as session:
            row = await applications.return_for_correction(
                session, info.context.principal, parse_id(id, "application"), reasons
            )
        return Application.from_row(row)

    @strawberry.mutation(
        description="Resubmit a returned application with corrected materials (the contact person)."
    )
    async def resubmit_application(
        self, info: Info, id: strawberry.ID, materials: list[MaterialInput] | None = None
    ) -> Application:
        async with await _contact_scope(info, models.Application, id) as session:
            row = await applications.resubmit(
                session,
                info.context.principal,
                parse_id(id, "application"),
                [m.data() for m in materials or []],
            )
        return Application.from_row(row)

    @strawberry.mutation(
        description="Reject an application at preliminary review, with its reasons (secretariat)."
    )
    async def reject_application(self, info: Info, id: strawberry.ID, reason: str) -> Application:
        async with info.context.tx.use() as session:
            row = await applications.reject(
                session, info.context.principal, parse_id(id, "application"), reason
            )
        return Application.from_row(row)

    @strawberry.mutation(
        description="Record the deciding body's decision on a forwarded "
        "application, with its meeting reference (secretariat)."
    )
    async def record_decision(
        self, info: Info, id: strawberry.ID, input: DecisionInput
    ) -> Application:
        async with info.context.tx.use() as session:
            row = await applications.record_decision(
                session,
                info.context.principal,
                parse_id(id, "application"),
                Decision(
                    approved=input.approved,
                    body=input.body.value,
                    meeting=input.meeting,
                    decided_on=input.decided_on,
                    minutes=input.minutes,
                    reason=input.reason,
                    effective_on=input.effective_on,
                ),
            )
        return Application.from_row(row)

    @strawberry.mutation(
        description="Complete a matter no body decides, e.g. record a written "
        "notice of withdrawal (AII Art.15(1)) (secretariat)."
    )
    async def complete_application(
        self,
        info: Info,
        id: strawberry.ID,
        note: str | None = None,
        effective_on: Annotated[
            date | None,
            strawberry.argument(
                description="the day the matter took effect (e.g. the written notice of "
                "withdrawal was received), when the secretariat records it after the fact; "
                "default now; not in the future, at most 366 days back"
            ),
        ] = None,
    ) -> Application:
        async with info.context.tx.use() as session:
            row = await applications.complete(
                session, info.context.principal, parse_id(id, "application"), note, effective_on
            )
        return Application.from_row(row)

    @strawberry.mutation(description="Designate another contact person.")
    async def change_contact_person(
        self,
        info: Info,
        membership_id: strawberry.ID,
        contact: ContactPersonInput,
        reason: str | None = None,
    ) -> Membership:
        async with await _contact_scope(info, models.Membership, membership_id) as session:
            row = await memberships.change_contact(
                session,
                info.context.principal,
                parse_id(membership_id, "membership"),
                ContactInput(contact.user_id, contact.name, contact.email),
                reason,
            )
        return Membership.from_row(row)

    @strawberry.mutation(
        description="Record that the member's licence was revoked; ends the "
        "membership where the charter says so (AII Art.15(2))."
    )
    async def record_licence_revocation(
        self, info: Info, membership_id: strawberry.ID, reference: str, reason: str | None = None
    ) -> Membership:
        async with info.context.tx.use() as session:
            row = await memberships.record_licence_revocation(
                session,
                info.context.principal,
                parse_id(membership_id, "membership"),
                reference,
                reason,
            )
        return Membership.from_row(row)
