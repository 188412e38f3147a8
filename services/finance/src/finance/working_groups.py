"""The working groups finance has heard of, from governance's events: each alliance's approved
groups, their names, and who holds their leader and co-leader posts. The one writer of
``working_groups`` and ``working_group_posts``.

AITISA Art.12(1): 推进组提前进行财务预算 — the group prepares its budget, through its leader
or a co-leader (the posts of Art.7(3)). Who leads which group is governance's record, published
as ``governance.working_group.post_filled``; a token's ``group_leader`` role says nothing about
*which* group, so finance asks this register, not the token. A budget names a group that the
chair's office approved (Art.4(3)) and that is not dissolved (Art.6), under its current name
(Art.5)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.governance import (
    WorkingGroupDecided,
    WorkingGroupDissolved,
    WorkingGroupMemberLeft,
    WorkingGroupPostFilled,
    WorkingGroupRenamed,
)
from finance.models import working_group_posts, working_groups
from servicekit.auth import Principal
from servicekit.errors import DomainError, NotFound
from servicekit.events import Envelope

APPROVED = "approved"
DISSOLVED = "dissolved"
POSTS = ("group_leader", "group_co_leader")


async def on_decided(session: AsyncSession, event: WorkingGroupDecided, envelope: Envelope) -> None:
    if not event.approved:
        return
    await session.execute(
        insert(working_groups)
        .values(
            id=event.group_id,
            alliance_id=event.alliance_id,
            name_zh=event.group_name_zh,
            name_en=event.group_name_en,
            status=APPROVED,
        )
        .on_conflict_do_nothing()
    )


async def on_renamed(session: AsyncSession, event: WorkingGroupRenamed, envelope: Envelope) -> None:
    await session.execute(
        sa.update(working_groups)
        .where(working_groups.c.id == event.group_id)
        .values(name_zh=event.group_name_zh, name_en=event.group_name_en, updated_at=sa.func.now())
    )


async def on_dissolved(
    session: AsyncSession, event: WorkingGroupDissolved, envelope: Envelope
) -> None:
    await session.execute(
        sa.update(working_groups)
        .where(working_groups.c.id == event.group_id)
        .values(status=DISSOLVED, updated_at=sa.func.now())
    )
    await session.execute(
        sa.delete(working_group_posts).where(working_group_posts.c.group_id == event.group_id)
    )


async def on_post_filled(
    session: AsyncSession, event: WorkingGroupPostFilled, envelope: Envelope
) -> None:
    if event.post not in POSTS or not event.user_id:
        return
    await session.execute(
        insert(working_group_posts)
        .values(
            seat_id=event.seat_id,
            alliance_id=event.alliance_id,
            group_id=event.group_id,
            user_id=event.user_id,
            post=event.post,
        )
        .on_conflict_do_update(
            index_elements=["seat_id"], set_={"user_id": event.user_id, "post": event.post}
        )
    )


async def on_member_left(
    session: AsyncSession, event: WorkingGroupMemberLeft, envelope: Envelope
) -> None:
    """The organisation left the group: the post its seat held is vacant."""
    await session.execute(
        sa.delete(working_group_posts).where(working_group_posts.c.seat_id == event.seat_id)
    )


async def approved_group(
    session: AsyncSession, alliance: uuid.UUID, group: uuid.UUID
) -> sa.Row[Any]:
    """The group, if the chair's office approved it and it is not dissolved; else a typed
    refusal (a group finance has not heard of is ``NOT_FOUND``)."""
    row = (
        await session.execute(
            sa.select(working_groups).where(
                working_groups.c.id == group, working_groups.c.alliance_id == alliance
            )
        )
    ).first()
    if row is None:
        raise NotFound(
            "there is no approved working group with this id in the alliance (AITISA Art.4(3))"
        )
    if row.status != APPROVED:
        raise DomainError(
            f"{row.name_zh} is dissolved: it has no budget any more (AITISA Art.6)",
            code="WORKING_GROUP_DISSOLVED",
        )
    return row


async def leads(session: AsyncSession, actor: Principal, group: uuid.UUID) -> bool:
    """Whether ``actor`` holds the leader or a co-leader post of ``group`` (AITISA Art.7(3))."""
    held = await session.scalar(
        sa.select(working_group_posts.c.seat_id).where(
            working_group_posts.c.group_id == group,
            working_group_posts.c.user_id == actor.user_id,
        )
    )
    return held is not None


async def post_holders(session: AsyncSession, group: uuid.UUID) -> list[str]:
    """The people who hold the group's leader and co-leader posts."""
    return sorted(
        set(
            await session.scalars(
                sa.select(working_group_posts.c.user_id).where(
                    working_group_posts.c.group_id == group
                )
            )
        )
    )
