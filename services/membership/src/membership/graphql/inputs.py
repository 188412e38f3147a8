"""The input types of membership's mutations, and their translation to the domain's inputs."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.scalars import JSON

from membership.documents import MaterialInput as MaterialData
from membership.graphql.common import BodyKind, MembershipTier, OrganizationKind


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
    effective_on: date | None = strawberry.field(
        default=None,
        description="the day the decision took effect, when the secretariat records it after "
        "the fact (default: now): the membership is admitted, changed or ended on that day. "
        "Not in the future, not before decidedOn, at most 366 days back",
    )


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
