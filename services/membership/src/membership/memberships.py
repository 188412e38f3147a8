"""Memberships: an organisation in an alliance, with its tier, status and contact person.

This module is the one writer of a membership: its status, tier and contact person change
here and nowhere else, each change with its history entry (who, when, why, the article, the
charter version) and its ``membership.member.*`` event. An approved application
(:mod:`membership.applications`) and the attendance rule (:mod:`membership.attendance`) call
these commands; reads are in :mod:`membership.queries`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from charter.ids import TierId
from contracts.membership import (
    MemberAdmitted,
    MemberContactChanged,
    MemberDemoted,
    MemberEvent,
    MemberExpelled,
    MembershipStatus,
    MemberTerminated,
    MemberTierChanged,
    MemberWithdrawn,
)
from membership import events
from membership.alliances import current_charter
from membership.charters import parsed
from membership.models import (
    Alliance,
    Application,
    HistoryChange,
    HistoryEntry,
    Membership,
    Organization,
)
from servicekit.auth import Principal
from servicekit.errors import Conflict, DomainError, Forbidden, NotFound
from servicekit.queries import rows_by_id

ENDED_BY = {
    MembershipStatus.WITHDRAWN: MemberWithdrawn,
    MembershipStatus.EXPELLED: MemberExpelled,
    MembershipStatus.TERMINATED: MemberTerminated,
}


@dataclass(frozen=True)
class Change:
    """Why a membership changes: who, under which article and charter version, and the
    application that asked for it (if one did)."""

    actor: str
    rule: str | None
    charter_version: int
    reason: str | None = None
    application: Application | None = None
    at: datetime | None = None
    """When the change took effect, where the secretariat records it after the fact (a
    decision's ``effectiveOn``) or a rule acted on an earlier day (the last missed meeting);
    ``None``: now."""


async def _write(
    session: AsyncSession,
    membership: Membership,
    alliance: Alliance,
    change: Change,
    what: HistoryChange,
    old: str | None,
    new: str | None,
    event: type[MemberEvent],
    **extra: object,
) -> None:
    """Record one change of ``membership``: its history entry and its event."""
    if change.at is not None and change.at < membership.joined_at:
        raise DomainError(
            "a change cannot take effect before the member joined "
            f"({membership.joined_at.date().isoformat()})",
            code="BAD_EFFECTIVE_DATE",
            field="effectiveOn",
        )
    entry = HistoryEntry(
        alliance_id=alliance.id,
        membership_id=membership.id,
        change=what,
        from_value=old,
        to_value=new,
        actor=change.actor,
        reason=change.reason,
        rule=change.rule,
        charter_version=change.charter_version,
    )
    if change.at is not None:
        entry.at = change.at
    session.add(entry)
    await session.flush()
    # Counted in SQL: a concurrent change of the same membership waits on the row, so no two
    # of its events carry the same revision.
    revision = await session.scalar(
        sa.update(Membership)
        .where(Membership.id == membership.id)
        .values(revision=Membership.revision + 1)
        .returning(Membership.revision)
    )
    organization = await session.get(Organization, membership.organization_id)
    assert organization is not None
    await events.publish(
        session,
        events.member_event(
            event,
            membership,
            alliance,
            organization,
            change.charter_version,
            application=change.application,
            rule=change.rule,
            revision=revision,
            **extra,
        ),
        subject=membership.id,
        alliance_id=alliance.id,
    )


# ----------------------------------------------------------------- from an application


async def admit(
    session: AsyncSession,
    alliance: Alliance,
    organization: Organization,
    application: Application,
    change: Change,
    *,
    issue_certificate: bool,
) -> Membership:
    """An approved admission takes effect (with a certificate where the charter issues one,
    China-ASEAN Art.17)."""
    certificate = None
    if issue_certificate:
        alliance.certificates_issued += 1
        year = (change.at or datetime.now(UTC)).year
        certificate = f"{alliance.slug.upper()}-{year}-{alliance.certificates_issued:04d}"
    membership = Membership(
        id=uuid.uuid4(),
        alliance_id=alliance.id,
        organization_id=organization.id,
        sort_name=organization.name_zh or organization.name_en,
        country=organization.country,
        tier=application.tier,
        status=MembershipStatus.ACTIVE,
        contact_user_id=application.contact_user_id,
        contact_name=application.contact_name,
        contact_email=application.contact_email,
        application_id=application.id,
        certificate_number=certificate,
        **({"joined_at": change.at} if change.at is not None else {}),
    )
    session.add(membership)
    application.membership_id = membership.id
    await _write(
        session,
        membership,
        alliance,
        change,
        HistoryChange.STATUS,
        None,
        MembershipStatus.ACTIVE,
        MemberAdmitted,
        certificate_number=certificate,
    )
    return membership


async def change_tier(
    session: AsyncSession, membership_id: uuid.UUID | None, tier: str, change: Change
) -> Membership:
    """An approved change of tier."""
    membership, alliance = await active(session, membership_id)
    previous, membership.tier = membership.tier, tier
    await _write(
        session,
        membership,
        alliance,
        change,
        HistoryChange.TIER,
        previous,
        tier,
        MemberTierChanged,
        from_tier=previous,
    )
    return membership


async def end(
    session: AsyncSession,
    membership_id: uuid.UUID | None,
    status: MembershipStatus,
    change: Change,
    **extra: object,
) -> Membership:
    """The membership ends: withdrawn, expelled, or terminated by a rule of the charter."""
    membership, alliance = await active(session, membership_id)
    previous = membership.status
    membership.status, membership.ended_at = status, change.at or datetime.now(UTC)
    await _write(
        session,
        membership,
        alliance,
        change,
        HistoryChange.STATUS,
        previous,
        status,
        ENDED_BY[status],
        **extra,
    )
    return membership


# ------------------------------------------------------------------ by a charter rule


async def demote(
    session: AsyncSession,
    membership: Membership,
    alliance: Alliance,
    tier: TierId,
    change: Change,
    *,
    meetings: Sequence[str],
) -> None:
    """The consecutive-absence rule lowers a member one tier (AII Art.13); ``membership`` is
    locked and active (the caller read it so)."""
    previous, membership.tier = membership.tier, tier
    await _write(
        session,
        membership,
        alliance,
        change,
        HistoryChange.TIER,
        previous,
        tier,
        MemberDemoted,
        from_tier=previous,
        reason=change.reason,
        meetings=list(meetings),
    )


# ------------------------------------------------------------ commands of the API


@dataclass(frozen=True)
class ContactInput:
    user_id: str
    name: str
    email: str


async def change_contact(
    session: AsyncSession,
    actor: Principal,
    membership_id: uuid.UUID,
    contact: ContactInput,
    reason: str | None,
) -> Membership:
    """Designate another contact person (AII Art.14(5), China-ASEAN Art.19(6)); the
    secretariat or the current contact person may."""
    membership, alliance = await load(session, membership_id)
    if not (actor.is_staff(alliance.slug) or actor.user_id == membership.contact_user_id):
        raise Forbidden(
            "only the secretariat or the current contact person designates a new contact person",
            code="NOT_CONTACT_PERSON",
        )
    if not contact.user_id.strip() or not contact.name.strip() or "@" not in contact.email:
        raise DomainError(
            "the contact person needs a user id, a name and an e-mail address", field="contact"
        )
    version = await current_charter(session, alliance)
    rule = parsed(version).membership.contact_person
    previous = membership.contact_user_id
    membership.contact_user_id = contact.user_id.strip()
    membership.contact_name = contact.name.strip()
    membership.contact_email = contact.email.strip()
    await _write(
        session,
        membership,
        alliance,
        Change(actor.user_id, rule.source if rule else None, version.version, reason),
        HistoryChange.CONTACT,
        previous,
        membership.contact_user_id,
        MemberContactChanged,
        previous_contact_user_id=previous,
    )
    return membership


async def record_licence_revocation(
    session: AsyncSession,
    actor: Principal,
    membership_id: uuid.UUID,
    reference: str,
    reason: str | None,
) -> Membership:
    """The secretariat records that the member's licence was revoked; where the charter says
    so (AII Art.15(2)) the membership ends automatically."""
    membership, alliance = await load(session, membership_id)
    if not actor.is_staff(alliance.slug):
        raise Forbidden(f"only the secretariat of {alliance.slug} records a revoked licence")
    version = await current_charter(session, alliance)
    rule = next(
        (
            r
            for r in parsed(version).automatic_rules
            if r.trigger == "licence_revoked" and r.effect == "membership_ends"
        ),
        None,
    )
    if rule is None:
        raise Conflict(
            f"the charter of {alliance.slug} does not end a membership on a revoked "
            "licence; propose an expulsion instead",
            code="RULE_NOT_IN_CHARTER",
        )
    if membership.status != MembershipStatus.ACTIVE:
        raise Conflict(f"the membership is {membership.status}", code="MEMBERSHIP_ENDED")
    if not reference.strip():
        raise DomainError("the revocation's reference is required", field="reference")
    why = f"licence revoked ({reference.strip()})" + (f": {reason.strip()}" if reason else "")
    return await end(
        session,
        membership.id,
        MembershipStatus.TERMINATED,
        Change(actor.user_id, rule.source, version.version, why),
        reason=why,
    )


# -------------------------------------------------------------------------- loading


async def load(
    session: AsyncSession, membership_id: uuid.UUID | None, *, lock: bool = True
) -> tuple[Membership, Alliance]:
    """The membership (locked for a change, unless ``lock`` is False) and its alliance."""
    found = (await rows_by_id(session, Membership, [membership_id], lock=lock))[0]
    if found is None:
        raise NotFound("no such membership")
    alliance = await session.get(Alliance, found.alliance_id)
    assert alliance is not None
    return found, alliance


async def active(
    session: AsyncSession, membership_id: uuid.UUID | None
) -> tuple[Membership, Alliance]:
    """The membership a tier change, withdrawal or expulsion acts on, which must still be
    active: another matter (a withdrawal, say) may have ended it since this one was filed."""
    membership, alliance = await load(session, membership_id)
    if membership.status != MembershipStatus.ACTIVE:
        raise Conflict(
            f"the membership is {membership.status} already; this application can "
            "no longer take effect",
            code="MEMBERSHIP_ENDED",
        )
    return membership, alliance
