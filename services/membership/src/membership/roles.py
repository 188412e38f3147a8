"""People with roles in an alliance: secretariat staff and officers (chair, vice-chairs,
secretary-general …), as the alliance's record of who holds what. Assignments are published
so that other services (notifications) know whom to tell.

Access to the API itself follows the roles in the caller's token (issued by the identity
provider); this register is the alliance's own record, kept with its history.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from membership import events
from membership.models import Alliance, RoleAssignment
from servicekit.auth import Principal
from servicekit.graphql import DomainError, Forbidden, NotFound
from servicekit.graphql.errors import Conflict
from servicekit.graphql.ids import grouped

ROLES = (
    "secretariat",
    "chair",
    "vice_chair",
    "secretary_general",
    "deputy_secretary_general",
    "director",
)


async def assign(
    session: AsyncSession,
    actor: Principal,
    alliance: Alliance,
    *,
    user_id: str,
    name: str,
    role: str,
    organization_id: uuid.UUID | None,
) -> RoleAssignment:
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
        events.ROLE_ASSIGNED,
        subject=assignment.id,
        alliance_id=alliance.id,
        data=_data(assignment, alliance),
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
        events.ROLE_REVOKED,
        subject=assignment.id,
        alliance_id=alliance.id,
        data=_data(assignment, alliance),
    )
    return assignment


def _data(assignment: RoleAssignment, alliance: Alliance) -> dict[str, object]:
    return {
        "assignmentId": str(assignment.id),
        "allianceId": str(alliance.id),
        "allianceSlug": alliance.slug,
        "userId": assignment.user_id,
        "name": assignment.name,
        "role": assignment.role,
    }


async def current(
    session: AsyncSession, alliance_ids: Sequence[uuid.UUID]
) -> list[list[RoleAssignment]]:
    rows = (
        await session.scalars(
            sa.select(RoleAssignment)
            .where(
                RoleAssignment.alliance_id.in_(alliance_ids), RoleAssignment.revoked_at.is_(None)
            )
            .order_by(RoleAssignment.role, RoleAssignment.name)
        )
    ).all()
    return grouped(rows, alliance_ids, lambda r: r.alliance_id)
