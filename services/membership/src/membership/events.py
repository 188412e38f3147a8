"""The events membership publishes: one builder per event, from the rows it describes.

Each builder returns the contract model of its event (``contracts.membership``), so every field
an event carries is filled in one place whichever command publishes it; :func:`publish` records
it in the outbox of the surrounding transaction.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from contracts import Event
from contracts.membership import (
    AllianceCreated,
    ApplicationEvent,
    CharterAdopted,
    CharterAmended,
    CharterChange,
    MemberEvent,
    OrganizationRegistered,
    RoleEvent,
)
from membership.models import (
    SOURCE,
    Alliance,
    Application,
    CharterVersion,
    Membership,
    Organization,
    RoleAssignment,
    outbox,
)
from servicekit.events import record_event

A = TypeVar("A", bound=ApplicationEvent)
M = TypeVar("M", bound=MemberEvent)
R = TypeVar("R", bound=RoleEvent)


async def publish(
    session: AsyncSession, event: Event, *, subject: uuid.UUID, alliance_id: uuid.UUID | None
) -> None:
    await record_event(
        session, outbox, event, source=SOURCE, subject=subject, alliance_id=alliance_id
    )


def alliance_created(alliance: Alliance) -> AllianceCreated:
    return AllianceCreated(
        alliance_id=alliance.id,
        slug=alliance.slug,
        name_zh=alliance.name_zh,
        name_en=alliance.name_en,
        template=alliance.template,
    )


def charter_adopted(alliance: Alliance, version: CharterVersion) -> CharterAdopted:
    return CharterAdopted(
        alliance_id=alliance.id,
        slug=alliance.slug,
        version=version.version,
        charter=version.document,
        motion_id=version.motion_id,
    )


def charter_amended(
    alliance: Alliance,
    version: CharterVersion,
    *,
    previous_version: int,
    changes: list[CharterChange],
) -> CharterAmended:
    return CharterAmended(
        alliance_id=alliance.id,
        slug=alliance.slug,
        version=version.version,
        previous_version=previous_version,
        note=version.reason,
        changes=changes,
        charter=version.document,
    )


def organization_registered(org: Organization) -> OrganizationRegistered:
    return OrganizationRegistered(
        organization_id=org.id,
        name_zh=org.name_zh,
        name_en=org.name_en,
        kind=org.kind,
        country=org.country,
    )


def role_event(model: type[R], assignment: RoleAssignment, alliance: Alliance) -> R:
    return model(
        assignment_id=assignment.id,
        alliance_id=alliance.id,
        alliance_slug=alliance.slug,
        user_id=assignment.user_id,
        name=assignment.name,
        role=assignment.role,
    )


def application_event(
    model: type[A],
    application: Application,
    alliance: Alliance,
    organization: Organization,
    charter_version: int,
    **extra: Any,
) -> A:
    """Every application event, from the application as it now stands."""
    return model(
        application_id=application.id,
        kind=application.kind,
        alliance_id=alliance.id,
        alliance_slug=alliance.slug,
        alliance_name_zh=alliance.name_zh,
        alliance_name_en=alliance.name_en,
        organization_id=organization.id,
        organization_name_zh=organization.name_zh,
        organization_name_en=organization.name_en or None,
        membership_id=application.membership_id,
        tier=application.tier,
        status=application.status,
        contact_user_id=application.contact_user_id,
        contact_name=application.contact_name,
        reason=application.decision_reason,
        charter_version=charter_version,
        **extra,
    )


def member_event(
    model: type[M],
    membership: Membership,
    alliance: Alliance,
    organization: Organization,
    charter_version: int,
    *,
    application: Application | None = None,
    **extra: Any,
) -> M:
    """Every membership event, from the membership as it now stands (and the application that
    changed it, where one did)."""
    fields: dict[str, Any] = {
        "membership_id": membership.id,
        "alliance_id": alliance.id,
        "alliance_slug": alliance.slug,
        "alliance_name_zh": alliance.name_zh,
        "alliance_name_en": alliance.name_en,
        "organization_id": organization.id,
        "organization_name_zh": organization.name_zh,
        "organization_name_en": organization.name_en or None,
        "tier": membership.tier,
        "status": membership.status,
        "contact_user_id": membership.contact_user_id,
        "contact_name": membership.contact_name,
        "charter_version": charter_version,
    }
    if application is not None:
        fields |= {
            "application_id": application.id,
            "kind": application.kind,
            "reason": application.decision_reason,
        }
    return model(**(fields | extra))
