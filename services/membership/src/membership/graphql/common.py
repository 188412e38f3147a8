"""Membership's value types and enums: what the entities carry, shared by their modules."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

import charter
from contracts.membership import ApplicationKind, ApplicationStatus, MembershipStatus
from membership import models
from membership.graphql.loaders import timeline_loader
from membership.organizations import OrganizationKind
from servicekit.graphql import Info
from servicekit.graphql.glossary import BodyKind, MembershipTier

__all__ = [
    "ApplicationKind",
    "ApplicationStatus",
    "BodyKind",
    "MembershipStatus",
    "MembershipTier",
    "OrganizationKind",
]

strawberry.enum(OrganizationKind, description="What an organisation is.")
strawberry.enum(MembershipStatus, description="Whether a membership is in force, or how it ended.")
strawberry.enum(ApplicationStatus, description="Where an application stands in its procedure.")
strawberry.enum(ApplicationKind, description="What an application asks for.")


def localized(info: Info, zh: str, en: str) -> str:
    return en if info.context.principal.locale == "en" else zh


@strawberry.type(description="One change, with who made it, when, why and under which rule.")
class HistoryEntry:
    change: str = strawberry.field(description="status, tier, contact, application_status")
    from_value: str | None
    to_value: str | None
    actor: str
    reason: str | None
    rule: str | None = strawberry.field(description="the charter article applied")
    charter_version: int
    at: datetime

    @classmethod
    def from_row(cls, row: models.HistoryEntry) -> HistoryEntry:
        return cls(
            change=row.change,
            from_value=row.from_value,
            to_value=row.to_value,
            actor=row.actor,
            reason=row.reason,
            rule=row.rule,
            charter_version=row.charter_version,
            at=row.at,
        )


async def timeline_of(info: Info, key: uuid.UUID) -> list[HistoryEntry]:
    return [HistoryEntry.from_row(r) for r in await timeline_loader(info).load(key)]


@strawberry.type(description="A right of a tier, as the charter states it.")
class Right:
    id: str
    text_zh: str
    text_en: str
    source: str

    @classmethod
    def from_charter(cls, right: charter.Right) -> Right:
        return cls(id=right.id, text_zh=right.text.zh, text_en=right.text.en, source=right.source)

    @strawberry.field
    def text(self, info: Info) -> str:
        return localized(info, self.text_zh, self.text_en)


@strawberry.type(description="A tier of the charter with every right it carries.")
class TierInfo:
    id: MembershipTier
    rank: int = strawberry.field(description="0 for the lowest tier")
    name_zh: str
    name_en: str
    source: str
    rights: list[Right]

    @strawberry.field
    def name(self, info: Info) -> str:
        return localized(info, self.name_zh, self.name_en)


def tier_infos(model: charter.Charter) -> list[TierInfo]:
    return [
        TierInfo(
            id=MembershipTier(str(t.id.value)),
            rank=i,
            name_zh=t.name.zh,
            name_en=t.name.en,
            source=t.source,
            rights=[Right.from_charter(r) for r in model.rights_of(t.id)],
        )
        for i, t in enumerate(model.membership.tiers)
    ]


@strawberry.type
class ContactPerson:
    user_id: strawberry.ID
    name: str
    email: str


@strawberry.type
class TierCount:
    tier: MembershipTier
    count: int


@strawberry.type
class Person:
    """Somebody holding a role in an alliance."""

    id: strawberry.ID
    user_id: strawberry.ID
    name: str
    role: str
    assigned_at: datetime

    @classmethod
    def from_row(cls, row: models.RoleAssignment) -> Person:
        return cls(
            id=strawberry.ID(str(row.id)),
            user_id=strawberry.ID(row.user_id),
            name=row.name,
            role=row.role,
            assigned_at=row.assigned_at,
        )


@strawberry.type
class CharterVersionInfo:
    version: int
    adopted_at: datetime
    adopted_by: str
    reason: str
    motion_id: strawberry.ID | None = strawberry.field(
        description="the governance motion that adopted it (none: recorded off the platform)"
    )
    document: JSON = strawberry.field(
        description="the charter as structured data: tiers, bodies, procedures and their articles"
    )

    @classmethod
    def from_row(cls, row: models.CharterVersion) -> CharterVersionInfo:
        return cls(
            version=row.version,
            adopted_at=row.adopted_at,
            adopted_by=row.adopted_by,
            reason=row.reason,
            motion_id=strawberry.ID(str(row.motion_id)) if row.motion_id else None,
            document=cast(JSON, row.document),
        )


@strawberry.type
class Material:
    material: str
    file_name: str | None
    content_type: str | None
    size: int | None
    sha256: str | None
    reference: str | None
    uploaded_at: datetime


@strawberry.type
class DecisionReference:
    body: BodyKind
    meeting: str
    decided_on: date
    minutes: str | None


@strawberry.type(description="Whether an organisation holds a right in an alliance, and why.")
class RightCheck:
    allowed: bool
    tier: MembershipTier | None
    source: str | None = strawberry.field(description="the article granting the right")
    reason: str
