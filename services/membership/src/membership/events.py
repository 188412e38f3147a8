"""The events membership publishes (type names and the one place they are recorded)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from membership.models import SOURCE, outbox
from servicekit.events import record

ALLIANCE_CREATED = "membership.alliance.created"
CHARTER_ADOPTED = "membership.charter.adopted"
ORGANIZATION_REGISTERED = "membership.organization.registered"
CHARTER_AMENDED = "membership.charter.amended"
ROLE_ASSIGNED = "membership.role.assigned"
ROLE_REVOKED = "membership.role.revoked"
APPLICATION_SUBMITTED = "membership.application.submitted"
APPLICATION_FORWARDED = "membership.application.forwarded"
APPLICATION_RETURNED = "membership.application.returned"
APPLICATION_RESUBMITTED = "membership.application.resubmitted"
APPLICATION_APPROVED = "membership.application.approved"
APPLICATION_REJECTED = "membership.application.rejected"
MEMBER_ADMITTED = "membership.member.admitted"
MEMBER_TIER_CHANGED = "membership.member.tier_changed"
MEMBER_DEMOTED = "membership.member.demoted"
MEMBER_WITHDRAWN = "membership.member.withdrawn"
MEMBER_EXPELLED = "membership.member.expelled"
MEMBER_TERMINATED = "membership.member.terminated"
CONTACT_CHANGED = "membership.member.contact_changed"
# In: a governance body's decision on a forwarded application (see docs/events.md).
GOVERNANCE_DECISION = "governance.application.decided"
# In: a meeting's attendance, for the charter's consecutive-absence rules.
GOVERNANCE_ATTENDANCE = "governance.attendance.recorded"


async def publish(
    session: AsyncSession,
    type: str,
    *,
    subject: uuid.UUID,
    alliance_id: uuid.UUID | None,
    data: dict[str, Any],
) -> None:
    await record(
        session,
        outbox,
        source=SOURCE,
        type=type,
        subject=subject,
        data=data,
        alliance_id=alliance_id,
    )
