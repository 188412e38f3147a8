"""People with roles in an alliance: secretariat staff and officers (chair, vice-chairs,
secretary-general …), as the alliance's record of who holds what. Assignments are published
so that other services (notifications) know whom to tell.

Access to the API itself follows the roles in the caller's token (issued by the identity
provider); this register is the alliance's own record, kept with its history.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from charter.ids import BodyId, RoleId
from contracts.membership import RoleAssigned, RoleRevoked
from membership import events
from membership.models import Alliance, RoleAssignment
from membership.queries import visible_alliance
from servicekit.auth import Principal
from servicekit.errors import Conflict, DomainError, Forbidden, NotFound

# The roles this register keeps (glossary ids): the secretariat's staff and the officers.
ROLES: tuple[str, ...] = (
    BodyId.SECRETARIAT,
    RoleId.CHAIR,
    RoleId.VICE_CHAIR,
    RoleId.SECRETARY_GENERAL,
    RoleId.DEPUTY_SECRETARY_GENERAL,
    RoleId.DIRECTOR,
)


async def assign(
    session: AsyncSession,
    actor: Principal,
    slug: str,
    *,
    user_id: str,
    name: str,
    role: str,
    organization_id: uuid.UUID | None,
) -> RoleAssignment:
    alliance = await visible_alliance(session, slug)
    if not actor.is_staff(alliance.slug):
        raise Forbidden(
            f"only the platform operator or the secretariat of {alliance.slug} assigns roles"
        )
    if role not in ROLES:
        raise DomainError(f"unknown role {role!r}; roles: {', '.join(ROLES)}", field="role")
    if not user_id.strip() or not name.strip():
        raise DomainError("a person needs a user id and a name", field="userId")
    assignment = RoleAssignment(
        alliance_id=alliance.id,
        user_id=user_id.strip(),
        name=name.strip(),
        role=role,
        organization_id=organization_id,
        assigned_by=actor.user_id,
    )
    try:
        async with session.begin_nested():
            session.add(assignment)
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(
            f"{user_id} is {role} of {alliance.slug} already", code="ROLE_ASSIGNED"
        ) from exc
    await events.publish(
        session,
        events.role_event(RoleAssigned, assignment, alliance),
        subject=assignment.id,
        alliance_id=alliance.id,
    )
    return assignment


async def revoke(
    session: AsyncSession, actor: Principal, assignment_id: uuid.UUID
) -> RoleAssignment:
    assignment = await session.get(RoleAssignment, assignment_id, with_for_update=True)
    if assignment is None or assignment.revoked_at is not None:
        raise NotFound("no such current role assignment")
    alliance = await session.get(Alliance, assignment.alliance_id)
    assert alliance is not None
    if not actor.is_staff(alliance.slug):
        raise Forbidden(
            f"only the platform operator or the secretariat of {alliance.slug} revokes roles"
        )
    assignment.revoked_at, assignment.revoked_by = datetime.now(UTC), actor.user_id
    await session.flush()
    await events.publish(
        session,
        events.role_event(RoleRevoked, assignment, alliance),
        subject=assignment.id,
        alliance_id=alliance.id,
    )
    return assignment
