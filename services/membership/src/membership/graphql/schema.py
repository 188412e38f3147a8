"""Membership's Query and Mutation roots."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from datetime import date

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.scalars import JSON

from membership import alliances, applications, memberships, models, roles
from membership.applications import ApplicationInput, Decision
from membership.documents import MaterialInput as MaterialData
from membership.graphql.types import (
    Alliance,
    Application,
    BodyKind,
    Membership,
    MembershipTier,
    Organization,
    OrganizationKind,
    Person,
    RightCheck,
    charter_loader,
    organization_loader,
    parse_id,
)
from membership.memberships import ContactInput
from membership.organizations import OrganizationInput as OrganizationData
from servicekit.graphql import DomainError, Info, NotFound, make_schema
from servicekit.tenancy import alliance_id


@strawberry.input
class CreateAllianceInput:
    slug: str = strawberry.field(description="short immutable name, e.g. 'aii'")
    name_zh: str
    name_en: str = ""
    template: str = strawberry.field(
        default="aii", description="charter template: aii, aitisa, china-asean"
    )
    charter_yaml: str | None = strawberry.field(
        default=None, description="a charter file of its own instead of a template"
    )


@strawberry.input
class OrganizationInput:
    name_zh: str
    name_en: str = ""
    kind: OrganizationKind
    country: str = strawberry.field(description="ISO 3166-1 alpha-2, e.g. CN, SG")
    registration_number: str = strawberry.field(
        description="for CN the 18-character unified social credit code"
    )


@strawberry.input(
    description="A material the charter asks for: a file (PDF, PNG or JPEG, at "
    "most 2 MiB, base64) or a reference to a paper document."
)
class MaterialInput:
    material: str = strawberry.field(
        description="the charter's material id, e.g. 'application_form'"
    )
    file_name: str | None = None
    content_type: str | None = None
    content_base64: str | None = None
    reference: str | None = None

    def data(self) -> MaterialData:
        return MaterialData(
            self.material, self.file_name, self.content_type, self.content_base64, self.reference
        )


@strawberry.input
class SubmitApplicationInput:
    alliance: str = strawberry.field(description="the alliance's slug")
    organization: OrganizationInput
    tier: MembershipTier
    contact_name: str
    contact_email: str
    materials: list[MaterialInput] = strawberry.field(default_factory=list)


@strawberry.input(description="A body's decision as minuted at its meeting.")
class DecisionInput:
    approved: bool
    body: BodyKind
    meeting: str = strawberry.field(
        description="the meeting's reference, e.g. '2026年第二次常务理事会'"
    )
    decided_on: date
    minutes: str | None = None
    reason: str | None = None


@strawberry.input
class ContactPersonInput:
    user_id: str
    name: str
    email: str


@strawberry.input
class AssignRoleInput:
    alliance: str
    user_id: str
    name: str
    role: str = strawberry.field(
        description="secretariat, chair, vice_chair, "
        "secretary_general, deputy_secretary_general, director"
    )
    organization_id: strawberry.ID | None = None


@strawberry.input(
    description="One change of a charter amendment: a dotted path and its new "
    "value, e.g. bodies.council.rules.ordinary_resolution.pass.fraction = '3/4'."
)
class CharterChangeInput:
    path: str
    value: JSON


async def _alliance(info: Info, slug: str) -> models.Alliance:
    async with info.context.tx.use() as session:
        row = await alliances.by_slug(session, slug)
    if row is None:
        raise NotFound(f"there is no alliance {slug!r} you may see")
    return row


async def _contact_scope(
    info: Info, model: type[models.Membership] | type[models.Application], id: strawberry.ID
) -> AbstractAsyncContextManager[AsyncSession]:
    """A write block in the alliance of a record the caller can see as its contact person
    (or as staff); the domain function decides whether the caller may act."""
    async with info.context.tx.use() as session:
        found = await session.scalar(
            select(model.alliance_id).where(model.id == parse_id(id, model.__name__.lower()))
        )
    return info.context.tx.widened([found] if found else [])


@strawberry.type
class Query:
    @strawberry.field(description="The alliances the caller may see.")
    async def alliances(self, info: Info) -> list[Alliance]:
        async with info.context.tx.use() as session:
            rows = await alliances.visible_alliances(session)
        return [Alliance.from_row(r) for r in rows]

    @strawberry.field
    async def alliance(self, info: Info, slug: str) -> Alliance | None:
        async with info.context.tx.use() as session:
            row = await alliances.by_slug(session, slug)
        return Alliance.from_row(row) if row else None

    @strawberry.field(
        description="An application the caller may see (as its contact person "
        "or as the alliance's staff)."
    )
    async def application(self, info: Info, id: strawberry.ID) -> Application | None:
        return await Application.resolve_reference(info, id)

    @strawberry.field
    async def membership(self, info: Info, id: strawberry.ID) -> Membership | None:
        return await Membership.resolve_reference(info, id)

    @strawberry.field(
        description="An organisation and its memberships (across every alliance, "
        "for the platform operator)."
    )
    async def organization(self, info: Info, id: strawberry.ID) -> Organization | None:
        row = await organization_loader(info).load(parse_id(id, "organization"))
        return Organization.from_row(row) if row else None

    @strawberry.field(description="Applications the caller is the contact person of.")
    async def my_applications(self, info: Info) -> list[Application]:
        async with info.context.tx.use() as session:
            rows = (
                await session.scalars(
                    select(models.Application)
                    .where(models.Application.contact_user_id == info.context.principal.user_id)
                    .order_by(models.Application.submitted_at.desc())
                )
            ).all()
        return [Application.from_row(r) for r in rows]

    @strawberry.field(description="Memberships the caller is the contact person of.")
    async def my_memberships(self, info: Info) -> list[Membership]:
        async with info.context.tx.use() as session:
            rows = (
                await session.scalars(
                    select(models.Membership)
                    .where(models.Membership.contact_user_id == info.context.principal.user_id)
                    .order_by(models.Membership.joined_at)
                )
            ).all()
        return [Membership.from_row(r) for r in rows]

    @strawberry.field(
        description="Whether an organisation holds a right in an alliance under "
        "the charter in force, and the article that grants it."
    )
    async def right_check(
        self, info: Info, alliance: str, organization_id: strawberry.ID, right: str
    ) -> RightCheck:
        row = await _alliance(info, alliance)
        model = await charter_loader(info).load(row.id)
        known = {r.id for t in model.tier_ids for r in model.rights_of(t)}
        if right not in known:
            raise DomainError(
                f"the charter of {alliance} grants no right {right!r}; its rights "
                f"are {', '.join(sorted(known))}",
                code="UNKNOWN_RIGHT",
            )
        async with info.context.tx.use() as session:
            member = await session.scalar(
                select(models.Membership).where(
                    models.Membership.alliance_id == row.id,
                    models.Membership.organization_id == parse_id(organization_id, "organization"),
                    models.Membership.status == "active",
                )
            )
        if member is None:
            return RightCheck(
                allowed=False, tier=None, source=None, reason=f"not an active member of {alliance}"
            )
        granted = next((r for r in model.rights_of(member.tier) if r.id == right), None)
        if granted is None:
            holders = [
                str(t.value)
                for t in model.tier_ids
                if any(r.id == right for r in model.rights_of(t))
            ]
            return RightCheck(
                allowed=False,
                tier=MembershipTier(member.tier),
                source=None,
                reason=f"a {member.tier} member does not hold {right}; "
                f"{', '.join(holders)} members do",
            )
        return RightCheck(
            allowed=True,
            tier=MembershipTier(member.tier),
            source=granted.source,
            reason=f"a {member.tier} member holds {right} ({granted.source})",
        )


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
        row = await _alliance(info, alliance)
        async with info.context.tx.use() as session:
            row = await session.get(models.Alliance, row.id, with_for_update=True) or row
            await alliances.amend_charter(
                session, info.context.principal, row, {c.path: c.value for c in changes}, note
            )
        return Alliance.from_row(row)

    @strawberry.mutation(description="Record a person's role in an alliance.")
    async def assign_role(self, info: Info, input: AssignRoleInput) -> Person:
        row = await _alliance(info, input.alliance)
        async with info.context.tx.use() as session:
            assignment = await roles.assign(
                session,
                info.context.principal,
                row,
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
            alliance = await alliances.by_slug(session, input.alliance)
            if alliance is None:
                raise NotFound(f"there is no alliance {input.alliance!r}")
            org = input.organization
            row = await applications.submit_admission(
                session,
                info.context.principal,
                alliance,
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
                ),
            )
        return Application.from_row(row)

    @strawberry.mutation(
        description="Complete a matter no body decides, e.g. record a written "
        "notice of withdrawal (AII Art.15(1)) (secretariat)."
    )
    async def complete_application(
        self, info: Info, id: strawberry.ID, note: str | None = None
    ) -> Application:
        async with info.context.tx.use() as session:
            row = await applications.complete(
                session, info.context.principal, parse_id(id, "application"), note
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


schema = make_schema(query=Query, mutation=Mutation, types=[Organization, Membership])
