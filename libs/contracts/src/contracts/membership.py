"""Events published by membership: alliances and their charters, organisations, roles,
applications and memberships."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from pydantic import Field

from charter.ids import BodyId, MatterKind, TierId
from contracts.base import Event, Part


class ApplicationKind(StrEnum):
    """What an application asks for."""

    ADMISSION = "admission"
    TIER_CHANGE = "tier_change"
    WITHDRAWAL = "withdrawal"
    EXPULSION = "expulsion"


class ApplicationStatus(StrEnum):
    SUBMITTED = "submitted"
    FORWARDED = "forwarded"
    RETURNED = "returned"
    APPROVED = "approved"
    REJECTED = "rejected"


class MembershipStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"
    EXPELLED = "expelled"
    TERMINATED = "terminated"


# --- alliances and charters -------------------------------------------------------------


class AllianceCreated(Event, type="membership.alliance.created", subject="alliance id"):
    """The platform operator created an alliance."""

    alliance_id: uuid.UUID
    slug: str
    name_zh: str
    name_en: str
    template: str | None = None


class CharterAdopted(Event, type="membership.charter.adopted", subject="alliance id"):
    """Version 1 of an alliance's charter, as data (the charter library's ``to_data`` form)."""

    alliance_id: uuid.UUID
    slug: str
    version: int
    charter: dict[str, Any]


class CharterChange(Part):
    """One changed rule of a charter amendment (a dotted path, its old and new value)."""

    path: str
    old: Any = None
    new: Any = None


class CharterAmended(Event, type="membership.charter.amended", subject="alliance id"):
    """An adopted amendment is recorded as a new charter version."""

    alliance_id: uuid.UUID
    slug: str
    version: int
    previous_version: int
    note: str
    changes: list[CharterChange]
    charter: dict[str, Any]
    motion_id: uuid.UUID | None = None
    """The governance motion whose last stage adopted it, where it was voted on the platform."""


# --- organisations and roles ------------------------------------------------------------


class OrganizationRegistered(
    Event, type="membership.organization.registered", subject="organisation id"
):
    """A new organisation identity on the platform (not tied to an alliance)."""

    organization_id: uuid.UUID
    name_zh: str
    name_en: str | None = None
    kind: str
    country: str


class RoleEvent(Event):
    assignment_id: uuid.UUID
    alliance_id: uuid.UUID
    alliance_slug: str
    user_id: str
    name: str
    role: str


class RoleAssigned(RoleEvent, type="membership.role.assigned", subject="assignment id"):
    """A person was given a role in an alliance (secretariat, chair, …)."""


class RoleRevoked(RoleEvent, type="membership.role.revoked", subject="assignment id"):
    """A person's role in an alliance ended."""


# --- applications -----------------------------------------------------------------------


class ApplicationEvent(Event):
    """What every application event carries."""

    application_id: uuid.UUID
    kind: ApplicationKind
    alliance_id: uuid.UUID
    alliance_slug: str
    alliance_name_zh: str
    alliance_name_en: str
    organization_id: uuid.UUID
    organization_name_zh: str
    organization_name_en: str | None = None
    membership_id: uuid.UUID | None = None
    tier: TierId | None = None
    status: ApplicationStatus
    contact_user_id: str | None = None
    contact_name: str | None = None
    reason: str | None = None
    charter_version: int


class ApplicationSubmitted(
    ApplicationEvent, type="membership.application.submitted", subject="application id"
):
    """An application or proposal was filed."""


class ApplicationForwarded(
    ApplicationEvent, type="membership.application.forwarded", subject="application id"
):
    """The application goes to the deciding body: the hand-off to a governance vote."""

    deciders: list[BodyId] = Field(default_factory=list)
    matter: MatterKind | None = None
    rule: str | None = None


class ApplicationReturned(
    ApplicationEvent, type="membership.application.returned", subject="application id"
):
    """Returned to the applicant for correction (``reason``)."""


class ApplicationResubmitted(
    ApplicationEvent, type="membership.application.resubmitted", subject="application id"
):
    """Corrected and filed again."""


class ApplicationApproved(
    ApplicationEvent, type="membership.application.approved", subject="application id"
):
    """Decided in favour (or completed by the secretariat); ``rule`` is the article applied."""

    rule: str | None = None


class ApplicationRejected(
    ApplicationEvent, type="membership.application.rejected", subject="application id"
):
    """Decided against, with ``reason``."""

    rule: str | None = None


# --- memberships ------------------------------------------------------------------------


class MemberEvent(Event):
    """What every membership event carries."""

    membership_id: uuid.UUID
    alliance_id: uuid.UUID
    alliance_slug: str
    alliance_name_zh: str
    alliance_name_en: str
    organization_id: uuid.UUID
    organization_name_zh: str
    organization_name_en: str | None = None
    tier: TierId
    status: MembershipStatus
    contact_user_id: str | None = None
    contact_name: str | None = None
    charter_version: int | None = None
    application_id: uuid.UUID | None = None
    kind: ApplicationKind | None = None
    rule: str | None = None
    reason: str | None = None
    revision: int | None = None
    """The membership's revision after this change: 1 at admission, one more with each change.
    A membership's events can arrive out of order (a retried event, two replicas of a
    consumer); a service that keeps the member as it stands applies an event only when its
    revision is newer than the one it holds. ``None`` (an event older than the field): apply."""


class MemberAdmitted(MemberEvent, type="membership.member.admitted", subject="membership id"):
    """An admission took effect."""

    certificate_number: str | None = None
    """China-ASEAN Art.17: the membership certificate (成员证)."""


class MemberTierChanged(
    MemberEvent, type="membership.member.tier_changed", subject="membership id"
):
    """An approved change of tier."""

    from_tier: TierId


class MemberDemoted(MemberEvent, type="membership.member.demoted", subject="membership id"):
    """The consecutive-absence rule demoted a member one tier (AII Art.13)."""

    from_tier: TierId
    meetings: list[str] = Field(default_factory=list)


class MemberWithdrawn(MemberEvent, type="membership.member.withdrawn", subject="membership id"):
    """The membership ended by withdrawal."""


class MemberExpelled(MemberEvent, type="membership.member.expelled", subject="membership id"):
    """The membership ended by expulsion."""


class MemberTerminated(MemberEvent, type="membership.member.terminated", subject="membership id"):
    """The membership ended automatically (revoked licence, AII Art.15(2))."""


class MemberContactChanged(
    MemberEvent, type="membership.member.contact_changed", subject="membership id"
):
    """Another contact person was designated."""

    previous_contact_user_id: str | None = None


# --- calendars --------------------------------------------------------------------------


class CalendarScheduleLoaded(
    Event, type="membership.calendar.schedule_loaded", subject="calendar schedule id"
):
    """The platform operator loaded an official holiday schedule for a country and year (for
    China, the State Council's notice with its make-up working days). Every service that counts
    deadlines keeps it; the highest version of a country and year counts from then on."""

    schedule_id: uuid.UUID
    country: str
    year: int
    version: int
    schedule: dict[str, Any]
    """The schedule file as data (``charter.schedules.Schedule.to_data``)."""
    loaded_by: str
