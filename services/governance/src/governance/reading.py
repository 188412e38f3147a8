"""Reading governance: pages of meetings and motions, stages, ballot lists, voting records,
attendance tables. Every list costs a bounded number of statements, whatever its length (the
GraphQL layer batches per-row fields through DataLoaders over these functions)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from governance.models import Attendance, Ballot, KnownAlliance, Meeting, Motion, Seat, Stage
from servicekit.graphql.pagination import KEY_TIME, KEY_UUID, decode_cursor


@dataclass(frozen=True)
class Page:
    rows: Sequence[object]
    total: int


async def meetings_page(
    session: AsyncSession,
    alliance_id: uuid.UUID,
    *,
    first: int,
    after: str | None,
    body: str | None = None,
    held: bool | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page:
    """Newest first, keyset (starts_at, id)."""
    where = [Meeting.alliance_id == alliance_id]
    if body is not None:
        where.append(Meeting.body == body)
    if held is not None:
        where.append(
            Meeting.attendance_closed_at.is_not(None)
            if held
            else Meeting.attendance_closed_at.is_(None)
        )
    if since is not None:
        where.append(Meeting.starts_at >= since)
    if until is not None:
        where.append(Meeting.starts_at < until)
    total = await session.scalar(sa.select(sa.func.count()).select_from(Meeting).where(*where))
    query = sa.select(Meeting).where(*where)
    if after is not None:
        at, mid = decode_cursor(after, [KEY_TIME, KEY_UUID])
        query = query.where(
            sa.tuple_(Meeting.starts_at, Meeting.id)
            < sa.tuple_(sa.literal(datetime.fromisoformat(at)), sa.literal(uuid.UUID(mid)))
        )
    rows = (
        await session.scalars(
            query.order_by(Meeting.starts_at.desc(), Meeting.id.desc()).limit(first + 1)
        )
    ).all()
    return Page(rows, total or 0)


async def motions_page(
    session: AsyncSession,
    alliance_id: uuid.UUID,
    *,
    first: int,
    after: str | None,
    status: str | None = None,
    matter: str | None = None,
) -> Page:
    """Newest first, keyset (created_at, id)."""
    where = [Motion.alliance_id == alliance_id]
    if status is not None:
        where.append(Motion.status == status)
    if matter is not None:
        where.append(Motion.matter == matter)
    total = await session.scalar(sa.select(sa.func.count()).select_from(Motion).where(*where))
    query = sa.select(Motion).where(*where)
    if after is not None:
        at, mid = decode_cursor(after, [KEY_TIME, KEY_UUID])
        query = query.where(
            sa.tuple_(Motion.created_at, Motion.id)
            < sa.tuple_(sa.literal(datetime.fromisoformat(at)), sa.literal(uuid.UUID(mid)))
        )
    rows = (
        await session.scalars(
            query.order_by(Motion.created_at.desc(), Motion.id.desc()).limit(first + 1)
        )
    ).all()
    return Page(rows, total or 0)


async def by_ids(
    session: AsyncSession, model: type, ids: Sequence[uuid.UUID]
) -> list[object | None]:
    column: Any = model.id  # type: ignore[attr-defined]
    rows: Sequence[Any] = (await session.scalars(sa.select(model).where(column.in_(ids)))).all()
    found = {r.id: r for r in rows}
    return [found.get(i) for i in ids]


async def stages_of(session: AsyncSession, motion_ids: Sequence[uuid.UUID]) -> list[list[Stage]]:
    rows = (
        await session.scalars(
            sa.select(Stage).where(Stage.motion_id.in_(motion_ids)).order_by(Stage.index)
        )
    ).all()
    groups: dict[uuid.UUID, list[Stage]] = {k: [] for k in motion_ids}
    for row in rows:
        groups[row.motion_id].append(row)
    return [groups[k] for k in motion_ids]


async def turnouts(session: AsyncSession, stage_ids: Sequence[uuid.UUID]) -> list[dict[str, int]]:
    """Ballots so far per stage, with the running yes/no/abstain."""
    rows = (
        await session.execute(
            sa.select(
                Ballot.stage_id,
                sa.func.count(),
                sa.func.count().filter(Ballot.choice == "yes"),
                sa.func.count().filter(Ballot.choice == "no"),
                sa.func.count().filter(Ballot.choice == "abstain"),
            )
            .where(Ballot.stage_id.in_(stage_ids))
            .group_by(Ballot.stage_id)
        )
    ).all()
    found = {r[0]: {"ballots": r[1], "yes": r[2], "no": r[3], "abstain": r[4]} for r in rows}
    empty = {"ballots": 0, "yes": 0, "no": 0, "abstain": 0}
    return [found.get(s, empty) for s in stage_ids]


async def turnout_probe(session: AsyncSession, stage_id: uuid.UUID) -> tuple[str | None, int]:
    """What changes when a stage's turnout does: its status and its number of ballots (both
    only move on), for the poller of ``voteTurnout`` (an index-only count)."""
    row = (
        await session.execute(
            sa.select(
                Stage.status,
                sa.select(sa.func.count()).where(Ballot.stage_id == stage_id).scalar_subquery(),
            ).where(Stage.id == stage_id)
        )
    ).first()
    return (row[0], int(row[1])) if row is not None else (None, 0)


async def quorum_probe(session: AsyncSession, meeting_id: uuid.UUID) -> tuple[object, ...]:
    """What changes when a meeting's quorum can: whether its attendance is closed, how many
    seats are recorded and as what, and the latest recording (an entry changed back to what
    it was is a new recording), for the poller of ``meetingQuorum`` (one statement)."""
    closed = (
        sa.select(Meeting.attendance_closed_at).where(Meeting.id == meeting_id).scalar_subquery()
    )
    row = (
        await session.execute(
            sa.select(
                closed,
                sa.func.count(),
                sa.func.count().filter(Attendance.status == "present"),
                sa.func.count().filter(Attendance.status == "proxy"),
                sa.func.max(Attendance.recorded_at),
            ).where(Attendance.meeting_id == meeting_id)
        )
    ).one()
    return tuple(row)


async def ballot_lists(session: AsyncSession, stage_ids: Sequence[uuid.UUID]) -> list[list[Ballot]]:
    """The published ballot lists of closed stages, in the order cast."""
    rows = (
        await session.scalars(
            sa.select(Ballot)
            .join(Stage, Stage.id == Ballot.stage_id)
            .where(Ballot.stage_id.in_(stage_ids), Stage.status == "closed")
            .order_by(Ballot.position)
        )
    ).all()
    groups: dict[uuid.UUID, list[Ballot]] = {k: [] for k in stage_ids}
    for row in rows:
        groups[row.stage_id].append(row)
    return [groups[k] for k in stage_ids]


async def voting_records(
    session: AsyncSession, seat_ids: Sequence[uuid.UUID]
) -> list[list[tuple[Ballot, Stage, Motion]]]:
    """How each seat voted, named votes only (a secret vote's ballot is never shown)."""
    rows = (
        await session.execute(
            sa.select(Ballot, Stage, Motion)
            .join(Stage, Stage.id == Ballot.stage_id)
            .join(Motion, Motion.id == Stage.motion_id)
            .where(Ballot.seat_id.in_(seat_ids), sa.not_(Stage.secret))
            .order_by(Ballot.position)
        )
    ).all()
    groups: dict[uuid.UUID, list[tuple[Ballot, Stage, Motion]]] = {k: [] for k in seat_ids}
    for ballot, stage, motion in rows:
        groups[ballot.seat_id].append((ballot, stage, motion))
    return [groups[k] for k in seat_ids]


async def attendance_of(
    session: AsyncSession, meeting_ids: Sequence[uuid.UUID]
) -> list[list[tuple[Attendance, Seat]]]:
    rows = (
        await session.execute(
            sa.select(Attendance, Seat)
            .join(Seat, Seat.id == Attendance.seat_id)
            .where(Attendance.meeting_id.in_(meeting_ids))
            .order_by(Seat.position)
        )
    ).all()
    groups: dict[uuid.UUID, list[tuple[Attendance, Seat]]] = {k: [] for k in meeting_ids}
    for attendance, seat in rows:
        groups[attendance.meeting_id].append((attendance, seat))
    return [groups[k] for k in meeting_ids]


async def held_meetings(
    session: AsyncSession, alliance_id: uuid.UUID, body: str, last: int
) -> list[Meeting]:
    """The body's last ``last`` meetings whose attendance is closed, in the order held."""
    rows = (
        await session.scalars(
            sa.select(Meeting)
            .where(
                Meeting.alliance_id == alliance_id,
                Meeting.body == body,
                Meeting.attendance_closed_at.is_not(None),
            )
            .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
            .limit(last)
        )
    ).all()
    return list(reversed(rows))


async def slug_of(session: AsyncSession, alliance_id: uuid.UUID) -> str | None:
    return await session.scalar(
        sa.select(KnownAlliance.slug).where(KnownAlliance.id == alliance_id)
    )


async def alliance_of(session: AsyncSession, model: type, row_id: uuid.UUID) -> uuid.UUID | None:
    """The alliance of a meeting, motion, stage or seat the caller can see."""
    found: uuid.UUID | None = await session.scalar(
        sa.select(model.alliance_id).where(model.id == row_id)  # type: ignore[attr-defined]
    )
    return found
