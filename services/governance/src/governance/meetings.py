"""Meetings of a body: convened by whom the charter says, in the modes it allows, with an
agenda; attendance per seat (present, a written proxy, absent) and the quorum it makes.

A written proxy (书面委托, AITISA Art.10) is kept as the document given; it is one level deep
(a seat that holds another's proxy cannot give its own away, and a seat represented by a proxy
cannot hold one), and refused where the body's charter rules admit none (AII Art.19 and
Art.23 count only those present). Closing the attendance fills every seat not recorded as
absent and publishes ``governance.attendance.recorded``.

One writer: this module is the only one that writes ``meetings`` and ``attendance``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

import charter
from charter.ids import BodyId, MatterKind, MeetingMode
from contracts.governance import (
    AttendanceRecorded,
    AttendanceStatus,
    MeetingConvened,
    MeetingMinimumMissed,
    SeatAttendance,
)
from governance import charters
from governance.models import (
    SOURCE,
    Attendance,
    Meeting,
    MinimumNotice,
    Motion,
    Seat,
    Stage,
    outbox,
)
from servicekit.auth import Principal
from servicekit.events import record_event
from servicekit.graphql import DomainError, Forbidden, NotFound


def body_rules(rules: charter.Charter, body: str) -> charter.Body:
    try:
        return rules.bodies[BodyId(body)]
    except (KeyError, ValueError):
        raise DomainError(f"{rules.slug}'s charter has no {body}", code="NO_SUCH_BODY") from None


def admits_proxies(rules: charter.Charter, body: str) -> bool:
    """Whether any of the body's rules counts written proxies as present."""
    return any(r.admits_proxies for r in body_rules(rules, body).rules.values())


def may_convene(principal: Principal, slug: str, found: charter.Body) -> str:
    """The charter actor the caller convenes as (e.g. 'secretariat (AII Art.23)')."""
    meetings = found.meetings
    conveners = list(meetings.convened_by) if meetings and meetings.convened_by else ["secretariat"]
    source = meetings.source if meetings else "default"
    if principal.operator:
        return f"platform operator for {', '.join(conveners)} ({source})"
    for actor in conveners:
        if principal.has_role(slug, str(actor)):
            return f"{actor} ({source})"
    raise Forbidden(f"this body's meetings are convened by {', '.join(conveners)} ({source})")


@dataclass(frozen=True)
class Convening:
    body: str
    title: str
    mode: str
    starts_at: datetime
    place: str | None
    link: str | None
    voting_deadline: datetime | None
    agenda: Sequence[uuid.UUID]
    group_id: uuid.UUID | None = None
    """A working group's meeting (body ``working_group``): which group meets."""


WORKING_GROUP = "working_group"


async def convene(
    session: AsyncSession,
    principal: Principal,
    slug: str,
    spec: Convening,
    *,
    convened_as: str | None = None,
) -> Meeting:
    """Convene a meeting. A working group's meeting comes through ``working_groups`` (which
    checks the group is approved and who convenes it, and passes ``convened_as``)."""
    alliance = await charters.alliance_by_slug(session, slug)
    version, rules = await charters.in_force(session, alliance.id)
    found = body_rules(rules, spec.body)
    if (spec.body == WORKING_GROUP) != (spec.group_id is not None) or (
        spec.group_id is not None and convened_as is None
    ):
        raise DomainError(
            "a working group's meeting is convened for one group, by its leader "
            "(conveneWorkingGroupMeeting; AITISA Art.8(2))",
            code="GROUP_MEETING",
        )
    convened_as = convened_as or may_convene(principal, slug, found)
    modes = [m.value for m in (found.meetings.modes if found.meetings else [MeetingMode.IN_PERSON])]
    if spec.mode not in modes:
        source = found.meetings.source if found.meetings else "default"
        raise DomainError(
            f"the {spec.body} meets only {' or '.join(modes)} ({source})", code="MODE_NOT_ALLOWED"
        )
    if not spec.title.strip():
        raise DomainError("a meeting needs a title")
    if spec.mode == MeetingMode.CORRESPONDENCE:
        if spec.voting_deadline is None:
            raise DomainError("a meeting by correspondence needs a voting deadline")
        if spec.voting_deadline <= spec.starts_at:
            raise DomainError("the voting deadline must come after the start")
    elif not (spec.place or spec.link):
        raise DomainError("a meeting in person needs a place or a link")
    agenda = list(dict.fromkeys(spec.agenda))
    if agenda:
        motions = (
            await session.scalars(
                sa.select(Motion).where(Motion.id.in_(agenda), Motion.alliance_id == alliance.id)
            )
        ).all()
        if len(motions) != len(agenda):
            raise NotFound("an agenda item is not a motion of this alliance")
        pending = {
            row.motion_id
            for row in (
                await session.execute(
                    sa.select(Stage.motion_id).where(
                        Stage.motion_id.in_(agenda),
                        Stage.status == "pending",
                        Stage.alternatives.contains([spec.body]),
                    )
                )
            )
        }
        for motion in motions:
            if spec.group_id is not None and motion.matter_id != spec.group_id:
                raise DomainError(
                    f"motion {motion.title!r} is not this working group's", code="WRONG_GROUP"
                )
            if motion.id not in pending:
                raise DomainError(
                    f"motion {motion.title!r} has no stage for the {spec.body} to vote on",
                    code="WRONG_BODY",
                )
    meeting = Meeting(
        id=uuid.uuid4(),
        alliance_id=alliance.id,
        body=spec.body,
        title=spec.title.strip(),
        mode=spec.mode,
        starts_at=spec.starts_at,
        place=spec.place,
        link=spec.link,
        voting_deadline=spec.voting_deadline,
        agenda=[str(a) for a in agenda],
        convened_by=principal.user_id,
        convened_as=convened_as,
        group_id=spec.group_id,
    )
    session.add(meeting)
    await session.flush()
    holders = await session.scalars(
        sa.select(Seat.holder_user_id)
        .where(
            Seat.alliance_id == alliance.id,
            Seat.body == spec.body,
            Seat.active,
            Seat.holder_user_id.is_not(None),
            Seat.group_id.is_not_distinct_from(spec.group_id),
        )
        .distinct()
    )
    await record_event(
        session,
        outbox,
        MeetingConvened(
            meeting_id=meeting.id,
            alliance_id=alliance.id,
            body=BodyId(spec.body),
            title=meeting.title,
            mode=MeetingMode(spec.mode),
            starts_at=spec.starts_at,
            place=spec.place,
            link=spec.link,
            voting_deadline=spec.voting_deadline,
            agenda=agenda,
            convened_as=convened_as,
            charter_version=version,
            attendees=sorted(h for h in holders if h),
        ),
        source=SOURCE,
        subject=meeting.id,
        alliance_id=alliance.id,
    )
    return meeting


@dataclass(frozen=True)
class AttendanceEntry:
    seat_id: uuid.UUID
    status: AttendanceStatus
    proxy_holder_seat_id: uuid.UUID | None = None
    proxy_document: str | None = None


async def meeting_for_update(session: AsyncSession, meeting_id: uuid.UUID) -> Meeting:
    meeting = await session.get(Meeting, meeting_id, with_for_update=True)
    if meeting is None:
        raise NotFound("no such meeting")
    return meeting


async def record_attendance(
    session: AsyncSession,
    principal: Principal,
    meeting_id: uuid.UUID,
    entries: Sequence[AttendanceEntry],
) -> Meeting:
    meeting = await meeting_for_update(session, meeting_id)
    if meeting.attendance_closed_at is not None:
        raise DomainError("this meeting's attendance is closed", code="ATTENDANCE_CLOSED")
    _, rules = await charters.in_force(session, meeting.alliance_id)
    ids = {e.seat_id for e in entries} | {
        e.proxy_holder_seat_id for e in entries if e.proxy_holder_seat_id
    }
    if len({e.seat_id for e in entries}) != len(entries):
        raise DomainError("a seat is listed twice", code="DUPLICATE_SEAT")
    seats = {
        s.id: s for s in (await session.scalars(sa.select(Seat).where(Seat.id.in_(ids)))).all()
    }
    existing = {
        a.seat_id: a
        for a in (
            await session.scalars(sa.select(Attendance).where(Attendance.meeting_id == meeting.id))
        ).all()
    }
    statuses = {sid: a.status for sid, a in existing.items()} | {
        e.seat_id: e.status.value for e in entries
    }
    holders = {sid: a.proxy_seat_id for sid, a in existing.items()} | {
        e.seat_id: e.proxy_holder_seat_id for e in entries
    }
    for entry in entries:
        seat = seats.get(entry.seat_id)
        if (
            seat is None
            or seat.body != meeting.body
            or seat.group_id != meeting.group_id
            or not seat.active
        ):
            raise DomainError(
                f"seat {entry.seat_id} is not a seat of the {meeting.body}", code="NOT_A_SEAT"
            )
        if entry.status is not AttendanceStatus.PROXY:
            if entry.proxy_holder_seat_id or entry.proxy_document:
                raise DomainError("only a proxy entry names a proxy holder", code="BAD_USER_INPUT")
            continue
        if not admits_proxies(rules, meeting.body):
            raise DomainError(
                f"{rules.short_name}'s charter admits no written proxies for the {meeting.body}",
                code="PROXY_NOT_ALLOWED",
            )
        holder = seats.get(entry.proxy_holder_seat_id) if entry.proxy_holder_seat_id else None
        if (
            holder is None
            or holder.body != meeting.body
            or holder.group_id != meeting.group_id
            or not holder.active
        ):
            raise DomainError(
                "a written proxy is given to another seat of the same body", code="BAD_PROXY"
            )
        if holder.id == seat.id:
            raise DomainError("a seat cannot be its own proxy", code="BAD_PROXY")
        if not (entry.proxy_document and entry.proxy_document.strip()):
            raise DomainError(
                "a proxy is a written entrustment: give its document", code="PROXY_DOCUMENT_MISSING"
            )
    for sid, status in statuses.items():
        if status != AttendanceStatus.PROXY:
            continue
        holder_id = holders[sid]
        if holder_id is None or statuses.get(holder_id) != AttendanceStatus.PRESENT:
            raise DomainError(
                "a proxy holder must attend in person, and cannot pass a proxy on (one level)",
                code="PROXY_PASSED_ON",
            )
    for entry in entries:
        holder = seats.get(entry.proxy_holder_seat_id) if entry.proxy_holder_seat_id else None
        values = {
            "alliance_id": meeting.alliance_id,
            "status": entry.status.value,
            "proxy_seat_id": holder.id if holder else None,
            "proxy_holder_user_id": holder.holder_user_id if holder else None,
            "proxy_document": entry.proxy_document if holder else None,
            "recorded_by": principal.user_id,
            "recorded_at": sa.func.now(),
        }
        await session.execute(
            insert(Attendance)
            .values(meeting_id=meeting.id, seat_id=entry.seat_id, **values)
            .on_conflict_do_update(index_elements=["meeting_id", "seat_id"], set_=values)
        )
    return meeting


async def close_attendance(
    session: AsyncSession, principal: Principal, meeting_id: uuid.UUID
) -> Meeting:
    meeting = await meeting_for_update(session, meeting_id)
    if meeting.attendance_closed_at is not None:
        return meeting
    # Every seat not recorded is absent.
    await session.execute(
        insert(Attendance).from_select(
            ["meeting_id", "seat_id", "alliance_id", "status", "recorded_by"],
            sa.select(
                sa.literal(meeting.id),
                Seat.id,
                Seat.alliance_id,
                sa.literal("absent"),
                sa.literal(principal.user_id),
            ).where(
                Seat.alliance_id == meeting.alliance_id,
                Seat.body == meeting.body,
                Seat.group_id.is_not_distinct_from(meeting.group_id),
                Seat.active,
                ~sa.exists().where(
                    Attendance.meeting_id == meeting.id, Attendance.seat_id == Seat.id
                ),
            ),
        )
    )
    meeting.attendance_closed_at = datetime.now(UTC)
    rows = (
        await session.execute(
            sa.select(
                Seat.organization_id,
                Seat.organization_name,
                Attendance.status,
                Attendance.proxy_holder_user_id,
            )
            .join(Attendance, Attendance.seat_id == Seat.id)
            .where(Attendance.meeting_id == meeting.id, Seat.organization_id.is_not(None))
            .order_by(Seat.position)
        )
    ).all()
    await record_event(
        session,
        outbox,
        AttendanceRecorded(
            alliance_id=meeting.alliance_id,
            meeting_id=str(meeting.id),
            body=BodyId(meeting.body),
            held_on=meeting.starts_at.date(),
            attendance=[
                SeatAttendance(
                    organization_id=r.organization_id,
                    status=AttendanceStatus(r.status),
                    organization_name=r.organization_name,
                    proxy_holder_user_id=r.proxy_holder_user_id,
                )
                for r in rows
            ],
        ),
        source=SOURCE,
        subject=meeting.id,
        alliance_id=meeting.alliance_id,
    )
    if meeting.group_id is not None:
        from governance import working_groups  # its module builds on this one

        await working_groups.after_meeting(session, meeting)
    return meeting


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Tally:
    seats: int
    present: int
    proxies: int
    absent: int
    unrecorded: int


async def tallies(session: AsyncSession, meetings: Sequence[Meeting]) -> list[Tally]:
    """Attendance counts of each meeting, against the body's active seats (one query)."""
    if not meetings:
        return []
    ids = [m.id for m in meetings]
    m = sa.orm.aliased(Meeting)
    rows = (
        await session.execute(
            sa.select(
                m.id,
                sa.func.count(Seat.id),
                sa.func.count().filter(Attendance.status == "present"),
                sa.func.count().filter(Attendance.status == "proxy"),
                sa.func.count().filter(Attendance.status == "absent"),
                sa.func.count().filter(Attendance.status.is_(None)),
            )
            .select_from(m)
            .join(
                Seat,
                sa.and_(
                    Seat.alliance_id == m.alliance_id,
                    Seat.body == m.body,
                    Seat.group_id.is_not_distinct_from(m.group_id),
                    Seat.active,
                ),
            )
            .outerjoin(
                Attendance, sa.and_(Attendance.meeting_id == m.id, Attendance.seat_id == Seat.id)
            )
            .where(m.id.in_(ids))
            .group_by(m.id)
        )
    ).all()
    found = {r[0]: Tally(*r[1:]) for r in rows}
    return [found.get(i, Tally(0, 0, 0, 0, 0)) for i in ids]


def quorum_of(rules: charter.Charter, body: str, tally: Tally) -> charter.Decision | None:
    """The quorum the attendance makes under the body's ordinary rule (with its article), or
    None when the body has no seats or no such rule."""
    if tally.seats < 1:
        return None
    try:
        rule = rules.rule_for(body, MatterKind.ORDINARY_RESOLUTION)
    except charter.RuleNotFound:
        return None
    return charter.evaluate(
        rule,
        charter.Counts(
            seats=tally.seats, present=tally.present, yes=0, no=0, proxies=tally.proxies
        ),
        body=body,
        alliance=rules.short_name,
    )


async def consecutive_absences(session: AsyncSession, seat_ids: Sequence[uuid.UUID]) -> list[int]:
    """Each seat's absences in a row, counted back from its body's latest closed meeting, in
    the order the meetings were held (whatever order their attendance was recorded in)."""
    if not seat_ids:
        return []
    ordered = (
        sa.select(
            Attendance.seat_id,
            Attendance.status,
            sa.func.row_number()
            .over(
                partition_by=Attendance.seat_id,
                order_by=(Meeting.starts_at.desc(), Meeting.id.desc()),
            )
            .label("n"),
        )
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(Attendance.seat_id.in_(seat_ids), Meeting.attendance_closed_at.is_not(None))
        .subquery()
    )
    first_attended = (
        sa.select(ordered.c.seat_id, sa.func.min(ordered.c.n).label("n"))
        .where(ordered.c.status != "absent")
        .group_by(ordered.c.seat_id)
    )
    totals = sa.select(ordered.c.seat_id, sa.func.count().label("all")).group_by(ordered.c.seat_id)
    attended = {r.seat_id: r.n for r in (await session.execute(first_attended)).all()}
    counted = {r.seat_id: r.all for r in (await session.execute(totals)).all()}
    return [(attended[s] - 1) if s in attended else counted.get(s, 0) for s in seat_ids]


async def held_in_year(
    session: AsyncSession, keys: Sequence[tuple[uuid.UUID, str]], year: int
) -> list[int]:
    """Meetings of each body held (attendance closed) in ``year``."""
    if not keys:
        return []
    start = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    rows = (
        await session.execute(
            sa.select(Meeting.alliance_id, Meeting.body, sa.func.count())
            .where(
                Meeting.alliance_id.in_({a for a, _ in keys}),
                Meeting.attendance_closed_at.is_not(None),
                Meeting.group_id.is_(None),  # a working group's are its own (working_groups)
                Meeting.starts_at >= start,
                Meeting.starts_at < end,
            )
            .group_by(Meeting.alliance_id, Meeting.body)
        )
    ).all()
    found = {(r[0], r[1]): r[2] for r in rows}
    return [found.get(k, 0) for k in keys]


async def note_missed_minimums(session: AsyncSession, today: date) -> int:
    """Publish, once per body and year, that a year ended below the charter's minimum of
    meetings (AII Art.23: the council at least once a year). Returns how many were noted."""
    from governance.models import Body

    year = today.year - 1
    bodies = (
        await session.scalars(
            sa.select(Body).where(
                Body.min_meetings_per_year.is_not(None),
                Body.min_meetings_per_year > 0,
                Body.kind != WORKING_GROUP,  # each group counts its own (working_groups)
            )
        )
    ).all()
    keys = [(b.alliance_id, b.kind) for b in bodies]
    held = await held_in_year(session, keys, year)
    noted = 0
    for body, count in zip(bodies, held, strict=True):
        minimum = body.min_meetings_per_year or 0
        if count >= minimum:
            continue
        inserted = (
            await session.execute(
                insert(MinimumNotice)
                .values(
                    alliance_id=body.alliance_id,
                    body=body.kind,
                    year=year,
                    held=count,
                    minimum=minimum,
                )
                .on_conflict_do_nothing()
                .returning(MinimumNotice.year)
            )
        ).first()
        if inserted is None:
            continue
        noted += 1
        await record_event(
            session,
            outbox,
            MeetingMinimumMissed(
                alliance_id=body.alliance_id,
                body=BodyId(body.kind),
                year=year,
                held=count,
                minimum=minimum,
                rule=body.source,
            ),
            source=SOURCE,
            subject=body.id,
            alliance_id=body.alliance_id,
        )
    return noted
