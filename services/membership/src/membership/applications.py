"""Applications for membership: submitted by an organisation's contact person, reviewed by the
secretariat, decided as the alliance's charter says.

This first slice lets the secretariat approve or reject directly; the charter's full admission
workflow (preliminary review, the deciding body's decision, certificates) builds on it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from membership import events
from membership.alliances import current_charter
from membership.charters import tier_ids
from membership.models import (
    OPEN_APPLICATION_STATES,
    Alliance,
    Application,
    HistoryEntry,
    Membership,
    Organization,
)
from membership.organizations import OrganizationInput, find_or_register
from servicekit.auth import Principal
from servicekit.graphql import DomainError, Forbidden, NotFound
from servicekit.graphql.errors import Conflict


@dataclass(frozen=True)
class ApplicationInput:
    organization: OrganizationInput
    tier: str
    contact_name: str
    contact_email: str


def _event_data(app: Application, alliance: Alliance, org: Organization) -> dict[str, object]:
    return {
        "applicationId": str(app.id),
        "allianceId": str(alliance.id),
        "allianceSlug": alliance.slug,
        "allianceNameZh": alliance.name_zh,
        "allianceNameEn": alliance.name_en,
        "organizationId": str(org.id),
        "organizationNameZh": org.name_zh,
        "organizationNameEn": org.name_en,
        "tier": app.tier,
        "status": app.status,
        "contactUserId": app.contact_user_id,
        "contactName": app.contact_name,
        "reason": app.decision_reason,
    }


async def submit(
    session: AsyncSession, actor: Principal, alliance: Alliance, data: ApplicationInput
) -> Application:
    """File an application; the submitter becomes the organisation's contact person."""
    charter = await current_charter(session, alliance)
    tiers = tier_ids(charter.document)
    if data.tier not in tiers:
        raise DomainError(
            f"the charter of {alliance.slug} has no tier {data.tier!r}; its tiers are "
            f"{', '.join(tiers)}",
            code="UNKNOWN_TIER",
            field="tier",
        )
    if not data.contact_name.strip() or "@" not in data.contact_email:
        raise DomainError(
            "the contact person needs a name and an e-mail address", field="contactEmail"
        )
    org = await find_or_register(session, data.organization)
    member = await session.scalar(
        sa.select(Membership.id).where(
            Membership.alliance_id == alliance.id,
            Membership.organization_id == org.id,
            Membership.status == "active",
        )
    )
    if member is not None:
        raise Conflict(
            f"{org.name_zh} is already a member of {alliance.slug}", code="ALREADY_MEMBER"
        )
    application = Application(
        id=uuid.uuid4(),
        alliance_id=alliance.id,
        organization_id=org.id,
        tier=data.tier,
        status="submitted",
        contact_user_id=actor.user_id,
        contact_name=data.contact_name.strip(),
        contact_email=data.contact_email.strip(),
    )
    try:
        async with session.begin_nested():
            session.add(application)
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(
            f"{org.name_zh} has an open application to {alliance.slug} already",
            code="APPLICATION_ALREADY_OPEN",
        ) from exc
    session.add(
        HistoryEntry(
            alliance_id=alliance.id,
            application_id=application.id,
            change="application_status",
            from_value=None,
            to_value="submitted",
            actor=actor.user_id,
            reason=None,
            rule=None,
            charter_version=charter.version,
        )
    )
    await events.publish(
        session,
        events.APPLICATION_SUBMITTED,
        subject=application.id,
        alliance_id=alliance.id,
        data=_event_data(application, alliance, org),
    )
    return application


async def _open_application(
    session: AsyncSession, actor: Principal, application_id: uuid.UUID
) -> tuple[Application, Alliance, Organization]:
    application = await session.scalar(
        sa.select(Application).where(Application.id == application_id).with_for_update()
    )
    if application is None:
        raise NotFound("no such application")
    alliance = await session.get(Alliance, application.alliance_id)
    org = await session.get(Organization, application.organization_id)
    assert alliance is not None and org is not None
    if not actor.is_staff(alliance.slug):
        raise Forbidden(f"only the secretariat of {alliance.slug} decides applications")
    if application.status not in OPEN_APPLICATION_STATES:
        raise Conflict(
            f"the application is {application.status} already", code="APPLICATION_CLOSED"
        )
    return application, alliance, org


async def approve(
    session: AsyncSession, actor: Principal, application_id: uuid.UUID, reason: str | None
) -> Application:
    application, alliance, org = await _open_application(session, actor, application_id)
    charter = await current_charter(session, alliance)
    previous = application.status
    application.status = "approved"
    application.decided_at = datetime.now(UTC)
    application.decided_by = actor.user_id
    application.decision_reason = reason
    membership = Membership(
        id=uuid.uuid4(),
        alliance_id=alliance.id,
        organization_id=org.id,
        sort_name=org.name_zh or org.name_en,
        country=org.country,
        tier=application.tier,
        status="active",
        contact_user_id=application.contact_user_id,
        contact_name=application.contact_name,
        contact_email=application.contact_email,
        application_id=application.id,
    )
    session.add(membership)
    session.add_all(
        [
            HistoryEntry(
                alliance_id=alliance.id,
                application_id=application.id,
                change="application_status",
                from_value=previous,
                to_value="approved",
                actor=actor.user_id,
                reason=reason,
                rule=None,
                charter_version=charter.version,
            ),
            HistoryEntry(
                alliance_id=alliance.id,
                membership_id=membership.id,
                change="status",
                from_value=None,
                to_value="active",
                actor=actor.user_id,
                reason=reason,
                rule=None,
                charter_version=charter.version,
            ),
        ]
    )
    await session.flush()
    data = _event_data(application, alliance, org)
    await events.publish(
        session,
        events.APPLICATION_APPROVED,
        subject=application.id,
        alliance_id=alliance.id,
        data=data,
    )
    await events.publish(
        session,
        events.MEMBER_ADMITTED,
        subject=membership.id,
        alliance_id=alliance.id,
        data={**data, "membershipId": str(membership.id)},
    )
    return application


async def reject(
    session: AsyncSession, actor: Principal, application_id: uuid.UUID, reason: str
) -> Application:
    if not reason.strip():
        raise DomainError("a rejection states its reasons", code="REASON_REQUIRED", field="reason")
    application, alliance, org = await _open_application(session, actor, application_id)
    charter = await current_charter(session, alliance)
    previous = application.status
    application.status = "rejected"
    application.decided_at = datetime.now(UTC)
    application.decided_by = actor.user_id
    application.decision_reason = reason.strip()
    session.add(
        HistoryEntry(
            alliance_id=alliance.id,
            application_id=application.id,
            change="application_status",
            from_value=previous,
            to_value="rejected",
            actor=actor.user_id,
            reason=reason.strip(),
            rule=None,
            charter_version=charter.version,
        )
    )
    await session.flush()
    await events.publish(
        session,
        events.APPLICATION_REJECTED,
        subject=application.id,
        alliance_id=alliance.id,
        data=_event_data(application, alliance, org),
    )
    return application


async def applications_by_id(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[Application | None]:
    rows = (await session.scalars(sa.select(Application).where(Application.id.in_(ids)))).all()
    found = {a.id: a for a in rows}
    return [found.get(i) for i in ids]
