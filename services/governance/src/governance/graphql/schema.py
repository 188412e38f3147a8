"""Governance's subgraph: bodies, seats, meetings, motions and votes; ``Alliance.bodies``,
``Alliance.meetings``, ``Alliance.motions``."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator
from datetime import UTC, date, datetime
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from charter.ids import MatterKind, MeetingMode
from contracts.governance import AttendanceStatus
from governance import charters, meetings, models, motions, queries, reading, seats, votes
from governance.graphql import working_groups as wg
from governance.graphql.enums import BallotChoice, MotionStatus, StageStatus
from governance.graphql.figures import FiguresQuery, GovernanceFigures
from governance.graphql.figures import for_alliance as figures_for_alliance
from governance.graphql.types import (
    BallotReceipt,
    Meeting,
    Motion,
    Quorum,
    Seat,
    Turnout,
    VoteResult,
    VoteStage,
    loader,
    quorum_from,
    turnout_of,
)
from servicekit.figures import Grouping
from servicekit.graphql import Forbidden, Info, NotFound, make_schema
from servicekit.graphql.glossary import BodyKind
from servicekit.graphql.ids import parse_id
from servicekit.graphql.live import follow
from servicekit.graphql.pagination import Connection, build_connection, check_page_size


async def staff_of(info: Info, alliance_id: uuid.UUID) -> str:
    """The alliance's slug, if the caller is its secretariat, an officer, or the operator."""
    async with info.context.tx.use() as session:
        slug = await reading.slug_of(session, alliance_id)
    if slug is None:
        raise NotFound("no such alliance")
    if not info.context.principal.is_staff(slug):
        raise Forbidden("only the alliance's secretariat and officers do this")
    return slug


def staff_slug(info: Info, slug: str) -> None:
    if not info.context.principal.is_staff(slug):
        raise Forbidden("only the alliance's secretariat and officers do this")


# --------------------------------------------------------------------------- bodies


@strawberry.type(description="A body's attendance table: its last meetings, seat by seat.")
class AttendanceRow:
    seat: Seat
    statuses: list[AttendanceStatus | None] = strawberry.field(
        description="one per meeting, in the order held (null: the seat was not yet seated)"
    )
    consecutive_absences: int


@strawberry.type
class AttendanceTable:
    meetings: list[Meeting]
    rows: list[AttendanceRow]


@strawberry.federation.type(
    keys=["id"],
    description="A body of an alliance: its general "
    "assembly, council, standing council, committees, secretariat …",
)
class Body:
    id: strawberry.ID
    alliance_id: strawberry.Private[uuid.UUID]
    kind: BodyKind
    name_zh: str
    name_en: str
    min_meetings_per_year: int | None = strawberry.field(
        description="the charter's minimum number of meetings a year, if it sets one"
    )
    source: str = strawberry.field(description="the charter article that sets the body up")

    @classmethod
    def from_row(cls, row: models.Body) -> Body:
        return cls(
            id=strawberry.ID(str(row.id)),
            alliance_id=row.alliance_id,
            kind=BodyKind(row.kind),
            name_zh=row.name_zh,
            name_en=row.name_en,
            min_meetings_per_year=row.min_meetings_per_year,
            source=row.source,
        )

    @strawberry.field(description="The name in the caller's language.")
    def name(self, info: Info) -> str:
        return self.name_en if info.context.principal.locale == "en" else self.name_zh

    @strawberry.field
    def alliance(self) -> Alliance:
        return Alliance(id=strawberry.ID(str(self.alliance_id)))

    @strawberry.field(description="The body's seats (occupied ones unless vacant: true).")
    async def seats(self, info: Info, vacant: bool = False) -> list[Seat]:
        key = (self.alliance_id, self.kind.value)
        if vacant:
            async with info.context.tx.use() as session:
                rows = (await seats.seats_of_bodies(session, [key], active_only=False))[0]
            return [Seat.from_row(r) for r in rows if not r.active]
        rows = await loader(info, seats.seats_of_bodies, "seats_of_bodies").load(key)
        return [Seat.from_row(r) for r in rows]

    @strawberry.field(
        description="Meetings held (attendance closed) in a year (default: this year)."
    )
    async def meetings_held(self, info: Info, year: int | None = None) -> int:
        async with info.context.tx.use() as session:
            found = await meetings.held_in_year(
                session, [(self.alliance_id, self.kind.value)], year or datetime.now(UTC).year
            )
        return found[0]

    @strawberry.field(description="The attendance of the body's last meetings, seat by seat.")
    async def attendance_table(self, info: Info, last: int = 5) -> AttendanceTable:
        last = max(1, min(last, 50))
        async with info.context.tx.use() as session:
            held = await reading.held_meetings(session, self.alliance_id, self.kind.value, last)
            rows = (await seats.seats_of_bodies(session, [(self.alliance_id, self.kind.value)]))[0]
            entries = await reading.attendance_of(session, [m.id for m in held])
            runs = await meetings.consecutive_absences(session, [s.id for s in rows])
        status = {
            (a.meeting_id, a.seat_id): AttendanceStatus(a.status)
            for group in entries
            for a, _ in group
        }
        return AttendanceTable(
            meetings=[Meeting.from_row(m) for m in held],
            rows=[
                AttendanceRow(
                    seat=Seat.from_row(s),
                    statuses=[status.get((m.id, s.id)) for m in held],
                    consecutive_absences=run,
                )
                for s, run in zip(rows, runs, strict=True)
            ],
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Body | None:
        row = await loader(info, queries.bodies_by_id, "body").load(parse_id(id, "body"))
        return cls.from_row(row) if row else None


@strawberry.type
class MeetingConnection(Connection[Meeting]):
    pass


@strawberry.type
class MotionConnection(Connection[Motion]):
    pass


@strawberry.federation.type(keys=["id"])
class Alliance:
    id: strawberry.ID

    @strawberry.field(description="The alliance's bodies, as its charter sets them up.")
    async def bodies(self, info: Info) -> list[Body]:
        rows = await loader(info, queries.bodies_of, "bodies_of").load(parse_id(self.id))
        return [Body.from_row(r) for r in rows]

    @strawberry.field(description="The alliance's meetings, newest first.")
    async def meetings(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        body: BodyKind | None = None,
        held: bool | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> MeetingConnection:
        check_page_size(first)
        async with info.context.tx.use() as session:
            page = await reading.meetings_page(
                session,
                parse_id(self.id),
                first=first,
                after=after,
                body=body.value if body else None,
                held=held,
                since=since,
                until=until,
            )
        return build_connection(
            page.rows,
            first=first,
            after=after,
            total=page.total,
            keyset=lambda m: (m.starts_at.isoformat(), m.id),
            node=Meeting.from_row,
            connection=MeetingConnection,
        )

    @strawberry.field(description="The alliance's motions, newest first.")
    async def motions(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        status: MotionStatus | None = None,
        matter: MatterKind | None = None,
    ) -> MotionConnection:
        check_page_size(first)
        async with info.context.tx.use() as session:
            page = await reading.motions_page(
                session,
                parse_id(self.id),
                first=first,
                after=after,
                status=status.value if status else None,
                matter=matter.value if matter else None,
            )
        return build_connection(
            page.rows,
            first=first,
            after=after,
            total=page.total,
            keyset=lambda m: (m.created_at.isoformat(), m.id),
            node=Motion.from_row,
            connection=MotionConnection,
        )

    @strawberry.field(description="The alliance's working groups, applications included.")
    async def working_groups(self, info: Info) -> list[wg.WorkingGroup]:
        return await wg.working_groups_of(info, parse_id(self.id))

    @strawberry.field(
        description="Meetings held per body against the charter's minimum, motions passed and "
        "failed, votes with their turnout and quorum failures, over a window (staff and the "
        "operator). Batched over every alliance of the request."
    )
    async def governance_figures(
        self,
        info: Info,
        since: date,
        until: date,
        grouping: Grouping = Grouping.MONTH,
    ) -> GovernanceFigures:
        return await figures_for_alliance(info, self.id, since, until, grouping)

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Alliance:
        return cls(id=id)


# --------------------------------------------------------------------------- queries


@strawberry.type
class Query(FiguresQuery):
    @strawberry.field
    async def body(self, info: Info, id: strawberry.ID) -> Body | None:
        return await Body.resolve_reference(info, id)

    @strawberry.field
    async def meeting(self, info: Info, id: strawberry.ID) -> Meeting | None:
        return await Meeting.resolve_reference(info, strawberry.ID(str(parse_id(id, "meeting"))))

    @strawberry.field
    async def motion(self, info: Info, id: strawberry.ID) -> Motion | None:
        return await Motion.resolve_reference(info, strawberry.ID(str(parse_id(id, "motion"))))

    @strawberry.field
    async def seat(self, info: Info, id: strawberry.ID) -> Seat | None:
        return await Seat.resolve_reference(info, strawberry.ID(str(parse_id(id, "seat"))))

    @strawberry.field(description="A working group of an alliance (AITISA).")
    async def working_group(self, info: Info, id: strawberry.ID) -> wg.WorkingGroup | None:
        return await wg.working_group(info, id)

    @strawberry.field(description="The seats the caller holds, in every alliance.")
    async def my_seats(self, info: Info) -> list[Seat]:
        async with info.context.tx.use() as session:
            rows = await seats.seats_held_by(session, info.context.principal.user_id)
        return [Seat.from_row(r) for r in rows]


# --------------------------------------------------------------------------- mutations


@strawberry.input
class ConveneMeetingInput:
    alliance: str = strawberry.field(description="the alliance's slug")
    body: BodyKind
    title: str
    mode: MeetingMode
    starts_at: datetime
    place: str | None = None
    link: str | None = None
    voting_deadline: datetime | None = None
    agenda: list[strawberry.ID] = strawberry.field(default_factory=list)


@strawberry.input
class AttendanceInput:
    seat: strawberry.ID
    status: AttendanceStatus
    proxy_holder: strawberry.ID | None = strawberry.field(
        default=None, description="for a proxy: the seat whose holder carries it"
    )
    proxy_document: str | None = strawberry.field(
        default=None, description="for a proxy: the written entrustment (书面委托)"
    )


@strawberry.input
class ChangeInput:
    path: str
    new: strawberry.scalars.JSON | None


@strawberry.input
class ProposeMotionInput:
    alliance: str
    body: BodyKind
    matter: MatterKind
    title: str
    changes: list[ChangeInput] = strawberry.field(default_factory=list)


@strawberry.input
class AppointInput:
    alliance: str
    body: BodyKind
    user_id: str
    name: str
    role: str
    term_starts_on: date
    term_ends_on: date | None = None
    reason: str


def _aware(value: datetime | None, what: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        from servicekit.graphql import DomainError

        raise DomainError(f"{what} needs a time zone (e.g. 2026-12-01T10:00:00+08:00)")
    return value


@strawberry.type
class Mutation(wg.WorkingGroupMutations):
    @strawberry.mutation(description="Convene a meeting of a body (by whom the charter says).")
    async def convene_meeting(self, info: Info, input: ConveneMeetingInput) -> Meeting:
        starts_at = _aware(input.starts_at, "startsAt")
        assert starts_at is not None
        async with info.context.tx.use() as session:
            row = await meetings.convene(
                session,
                info.context.principal,
                input.alliance,
                meetings.Convening(
                    body=input.body.value,
                    title=input.title,
                    mode=input.mode.value,
                    starts_at=starts_at,
                    place=input.place,
                    link=input.link,
                    voting_deadline=_aware(input.voting_deadline, "votingDeadline"),
                    agenda=[parse_id(a, "motion") for a in input.agenda],
                ),
            )
        return Meeting.from_row(row)

    @strawberry.mutation(description="Record attendance (present, written proxy, absent).")
    async def record_attendance(
        self, info: Info, meeting: strawberry.ID, entries: list[AttendanceInput]
    ) -> Meeting:
        meeting_id = parse_id(meeting, "meeting")
        async with info.context.tx.use() as session:
            alliance_id = await reading.alliance_of(session, models.Meeting, meeting_id)
        if alliance_id is None:
            raise NotFound("no such meeting")
        await staff_of(info, alliance_id)
        async with info.context.tx.use() as session:
            row = await meetings.record_attendance(
                session,
                info.context.principal,
                meeting_id,
                [
                    meetings.AttendanceEntry(
                        seat_id=parse_id(e.seat, "seat"),
                        status=e.status,
                        proxy_holder_seat_id=parse_id(e.proxy_holder, "seat")
                        if e.proxy_holder
                        else None,
                        proxy_document=e.proxy_document,
                    )
                    for e in entries
                ],
            )
        return Meeting.from_row(row)

    @strawberry.mutation(description="Close the attendance: unrecorded seats are absent.")
    async def close_attendance(self, info: Info, meeting: strawberry.ID) -> Meeting:
        meeting_id = parse_id(meeting, "meeting")
        async with info.context.tx.use() as session:
            alliance_id = await reading.alliance_of(session, models.Meeting, meeting_id)
        if alliance_id is None:
            raise NotFound("no such meeting")
        await staff_of(info, alliance_id)
        async with info.context.tx.use() as session:
            row = await meetings.close_attendance(session, info.context.principal, meeting_id)
        return Meeting.from_row(row)

    @strawberry.mutation(description="Put a motion forward to a body that may decide it.")
    async def propose_motion(self, info: Info, input: ProposeMotionInput) -> Motion:
        staff_slug(info, input.alliance)
        async with info.context.tx.use() as session:
            alliance = await charters.alliance_by_slug(session, input.alliance)
            row = await motions.propose(
                session,
                alliance_id=alliance.id,
                body=input.body.value,
                matter=input.matter,
                title=input.title,
                changes=[(c.path, c.new) for c in input.changes],
                proposed_by=info.context.principal.user_id,
            )
        return Motion.from_row(row)

    @strawberry.mutation(description="Open the motion's next vote at a meeting of its body.")
    async def open_vote(
        self, info: Info, motion: strawberry.ID, meeting: strawberry.ID, secret: bool = False
    ) -> VoteStage:
        motion_id = parse_id(motion, "motion")
        async with info.context.tx.use() as session:
            alliance_id = await reading.alliance_of(session, models.Motion, motion_id)
        if alliance_id is None:
            raise NotFound("no such motion")
        await staff_of(info, alliance_id)
        async with info.context.tx.use() as session:
            stage = await votes.open_stage(
                session, motion_id, parse_id(meeting, "meeting"), secret=secret
            )
        return VoteStage.from_row(stage)

    @strawberry.mutation(description="Cast a seat's ballot (by its holder or its proxy holder).")
    async def cast_ballot(
        self, info: Info, stage: strawberry.ID, seat: strawberry.ID, choice: BallotChoice
    ) -> BallotReceipt:
        stage_id, seat_id = parse_id(stage, "vote"), parse_id(seat, "seat")
        user = info.context.principal.user_id
        async with info.context.tx.use() as session:
            alliance_id = await votes.seat_alliance(session, seat_id, user)
        async with info.context.tx.widened([alliance_id]) as session:
            done = await votes.cast(
                session, user_id=user, stage_id=stage_id, seat_id=seat_id, choice=choice.value
            )
        return BallotReceipt(
            receipt=done.receipt,
            stage_id=strawberry.ID(str(done.stage_id)),
            seat_id=strawberry.ID(str(done.seat_id)),
            by_proxy=done.by_proxy,
        )

    @strawberry.mutation(description="Close a vote and compute its result (once).")
    async def close_vote(
        self,
        info: Info,
        stage: strawberry.ID,
        voted_on: Annotated[
            date | None,
            strawberry.argument(
                description="the day an in-person vote was taken at its meeting, when the "
                "secretariat records it after the fact (default: now): the motion is decided "
                "on that day. Not in the future, not before the meeting began, at most 366 "
                "days back; not for a vote by correspondence"
            ),
        ] = None,
    ) -> VoteStage:
        stage_id = parse_id(stage, "vote")
        async with info.context.tx.use() as session:
            alliance_id = await reading.alliance_of(session, models.Stage, stage_id)
        if alliance_id is None:
            raise NotFound("no such vote")
        await staff_of(info, alliance_id)
        async with info.context.tx.use() as session:
            row = await votes.close(session, stage_id, voted_on=voted_on)
        return VoteStage.from_row(row)

    @strawberry.mutation(description="Name (or replace) the representative who holds a seat.")
    async def name_representative(
        self, info: Info, seat: strawberry.ID, user_id: str, name: str, reason: str
    ) -> Seat:
        seat_id = parse_id(seat, "seat")
        principal = info.context.principal
        async with info.context.tx.use() as session:
            alliance_id = await reading.alliance_of(session, models.Seat, seat_id)
            slug = await reading.slug_of(session, alliance_id) if alliance_id else None
        if alliance_id is None:
            raise NotFound("no such seat")
        # A contact person sees its organisation's seat but not the alliance's record (no role
        # there): it is no staff, and names the representative as the contact (AII Art.12).
        async with info.context.tx.widened([alliance_id]) as session:
            row = await seats.name_representative(
                session,
                actor=principal.user_id,
                may_act=slug is not None and principal.is_staff(slug),
                seat_id_=seat_id,
                user_id=user_id,
                name=name,
                on=datetime.now(UTC).date(),
                reason=reason,
            )
        return Seat.from_row(row)

    @strawberry.mutation(description="Appoint a person to a committee of persons, for a term.")
    async def appoint_to_body(self, info: Info, input: AppointInput) -> Seat:
        staff_slug(info, input.alliance)
        async with info.context.tx.use() as session:
            alliance = await charters.alliance_by_slug(session, input.alliance)
            _, rules = await charters.in_force(session, alliance.id)
            row = await seats.appoint(
                session,
                alliance.id,
                rules,
                body=input.body.value,
                user_id=input.user_id,
                name=input.name,
                role=input.role,
                on=input.term_starts_on,
                term_ends_on=input.term_ends_on,
                reason=input.reason,
            )
        return Seat.from_row(row)

    @strawberry.mutation(description="End a personal seat (a term ended, a resignation).")
    async def vacate_seat(self, info: Info, seat: strawberry.ID, reason: str) -> Seat:
        seat_id = parse_id(seat, "seat")
        async with info.context.tx.use() as session:
            alliance_id = await reading.alliance_of(session, models.Seat, seat_id)
        if alliance_id is None:
            raise NotFound("no such seat")
        await staff_of(info, alliance_id)
        async with info.context.tx.use() as session:
            row = await seats.vacate(session, seat_id, on=datetime.now(UTC).date(), reason=reason)
        return Seat.from_row(row)


# --------------------------------------------------------------------------- subscriptions


TURNOUT_EVERY = 0.25
"""Seconds between two looks at a followed vote's count, per replica and vote (not per
follower): ballots are counted, not notified (servicekit.live: a NOTIFY per ballot would make
the ballots of a burst commit one at a time)."""


@strawberry.type(description="A vote's turnout as its ballots are cast, and its result at close.")
class LiveTurnout:
    stage_id: strawberry.ID
    status: StageStatus
    turnout: Turnout = strawberry.field(
        description="as VoteStage.turnout: the running count only where the vote is named"
    )
    result: VoteResult | None = strawberry.field(description="once the vote has closed")


@strawberry.type(description="A meeting's quorum as its attendance is recorded.")
class LiveQuorum:
    meeting_id: strawberry.ID
    attendance_closed: bool
    quorum: Quorum | None = strawberry.field(
        description="as Meeting.quorum: none where the body's rule sets no quorum"
    )


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="A vote's turnout now, then again as committed ballots change it (looked "
        "at four times a second; a burst is shown as it goes, not ballot by ballot), its "
        "result when it closes, and then the end. Whoever may read the vote "
        "(VoteStage.turnout) may follow it; a secret vote shows only the number of ballots."
    )
    async def vote_turnout(
        self, info: Info, stage: strawberry.ID
    ) -> AsyncGenerator[LiveTurnout, None]:
        stage_id = parse_id(stage, "vote")

        async def read(session: AsyncSession) -> tuple[LiveTurnout, bool]:
            found = (await reading.by_ids(session, models.Stage, [stage_id]))[0]
            if found is None:
                raise NotFound("no such vote")
            assert isinstance(found, models.Stage)
            counted = (await reading.turnouts(session, [stage_id]))[0]
            now = LiveTurnout(
                stage_id=strawberry.ID(str(found.id)),
                status=StageStatus(found.status),
                turnout=turnout_of(found, counted),
                result=VoteResult.from_result(found.result) if found.result else None,
            )
            return now, found.status == "closed"

        async for now in follow(
            info,
            "turnout",
            str(stage_id),
            probe=lambda session: reading.turnout_probe(session, stage_id),
            read=read,
            every=TURNOUT_EVERY,
        ):
            yield now

    @strawberry.subscription(
        description="A meeting's quorum now, then again as its attendance is recorded (looked "
        "at four times a second), with the rule and article; the last one when the secretariat "
        "closes the attendance, and then the end. Whoever may read the meeting may follow it."
    )
    async def meeting_quorum(
        self, info: Info, meeting: strawberry.ID
    ) -> AsyncGenerator[LiveQuorum, None]:
        meeting_id = parse_id(meeting, "meeting")

        async def read(session: AsyncSession) -> tuple[LiveQuorum, bool]:
            found = (await reading.by_ids(session, models.Meeting, [meeting_id]))[0]
            if found is None:
                raise NotFound("no such meeting")
            assert isinstance(found, models.Meeting)
            [tally] = await meetings.tallies(session, [found])
            rules = (await charters.in_force_of(session, [found.alliance_id]))[0]
            if rules is None:
                raise NotFound("governance has not received this alliance's charter yet")
            now = LiveQuorum(
                meeting_id=strawberry.ID(str(found.id)),
                attendance_closed=found.attendance_closed_at is not None,
                quorum=quorum_from(rules[1], found.body, tally),
            )
            return now, now.attendance_closed

        async for now in follow(
            info,
            "quorum",
            str(meeting_id),
            probe=lambda session: reading.quorum_probe(session, meeting_id),
            read=read,
            every=TURNOUT_EVERY,
        ):
            yield now


schema = make_schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=[Alliance, Body, Seat, Meeting, Motion, VoteStage],
)
