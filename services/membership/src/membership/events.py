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
APPLICATION_SUBMITTED = "membership.application.submitted"
APPLICATION_APPROVED = "membership.application.approved"
APPLICATION_REJECTED = "membership.application.rejected"
MEMBER_ADMITTED = "membership.member.admitted"


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
