"""Governance's GraphQL types: seats, meetings, motions and their votes (translation only:
the queries live in the domain modules, per-row fields go through DataLoaders)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import strawberry

from charter.ids import BodyId, MatterKind, MeetingMode, Outcome
from contracts.governance import AttendanceStatus
from governance import charters, meetings, models, reading, seats
from governance.graphql.enums import BallotChoice, MotionStatus, StageStatus
from servicekit.graphql import Info, NotFound
from servicekit.graphql.glossary import BodyKind


def loader(info: Info, fn: Any, key: str) -> Any:
    async def load(keys: Sequence[Any]) -> Any:
        async with info.context.tx.use() as session:
            return await fn(session, keys)

    return info.context.loader(load, key=key)


# --------------------------------------------------------------------------- seats


@strawberry.type(description="One change of a seat, with its date and reason.")
class SeatChange:
    change: str
    holder_user_id: str | None
    holder_name: str | None
    changed_on: date
    reason: str

    @classmethod
    def from_row(cls, row: models.SeatChange) -> SeatChange:
        return cls(
            change=row.change,
            holder_user_id=row.holder_user_id,
            holder_name=row.holder_name,
            changed_on=row.changed_on,
            reason=row.reason,
        )


@strawberry.type(description="How a seat voted on one named vote.")
class VotingRecordEntry:
    motion_id: strawberry.ID
    motion_title: str
    stage: int
    choice: BallotChoice
    by_proxy: bool
    cast_at: datetime


@strawberry.federation.type(keys=["id"], description="A seat of a body.")
class Seat:
    id: strawberry.ID
    row: strawberry.Private[models.Seat]
    body: BodyKind
    organization_id: strawberry.ID | None = strawberry.field(
        description="the member organisation whose seat it is (none for a personal seat)"
    )
    organization_name: str | None
    role: str | None = strawberry.field(description="an officer's or committee member's role")
    holder_user_id: str | None = strawberry.field(description="the person who sits and votes")
    holder_name: str | None = strawberry.field(
        description="the named representative (none: the organisation's contact person sits)"
    )
    active: bool
    term_starts_on: date | None
    term_ends_on: date | None

    @classmethod
    def from_row(cls, row: models.Seat) -> Seat:
        return cls(
            id=strawberry.ID(str(row.id)),
            row=row,
            body=BodyId(row.body),
            organization_id=strawberry.ID(str(row.organization_id))
            if row.organization_id
            else None,
            organization_name=row.organization_name,
            role=row.role,
            holder_user_id=row.holder_user_id,
            holder_name=row.holder_name,
            active=row.active,
            term_starts_on=row.term_starts_on,
            term_ends_on=row.term_ends_on,
        )

    @strawberry.field(description="Every change of this seat, oldest first.")
    async def changes(self, info: Info) -> list[SeatChange]:
        rows = await loader(info, seats.changes_of, "seat_changes").load(self.row.id)
        return [SeatChange.from_row(r) for r in rows]

    @strawberry.field(
        description="Absences in a row, counted back from the body's latest held meeting, in "
        "the order the meetings were held."
    )
    async def consecutive_absences(self, info: Info) -> int:
        result: int = await loader(info, meetings.consecutive_absences, "absences").load(
            self.row.id
        )
        return result

    @strawberry.field(description="How this seat voted, named votes only.")
    async def voting_record(self, info: Info) -> list[VotingRecordEntry]:
        rows = await loader(info, reading.voting_records, "voting_records").load(self.row.id)
        return [
            VotingRecordEntry(
                motion_id=strawberry.ID(str(m.id)),
                motion_title=m.title,
                stage=s.index + 1,
                choice=BallotChoice(b.choice),
                by_proxy=b.by_proxy,
                cast_at=b.cast_at,
            )
            for b, s, m in rows
        ]

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Seat | None:
        found = await loader(info, seats.seats_by_id, "seats_by_id").load(uuid.UUID(str(id)))
        return cls.from_row(found) if found else None


# --------------------------------------------------------------------------- meetings


@strawberry.type(description="The quorum a meeting's attendance makes, under the body's rule.")
class Quorum:
    seats: int
    present: int
    proxies: int
    absent: int
    unrecorded: int
    quorate: bool
    needed: int = strawberry.field(description="the smallest attendance that is quorate")
    rule: str = strawberry.field(description="the article applied")
    explanation_zh: str
    explanation_en: str


def quorum_from(rules: Any, body: str, tally: meetings.Tally) -> Quorum | None:
    decision = meetings.quorum_of(rules, body, tally)
    if decision is None or decision.quorum is None:
        return None
    check = decision.quorum
    zh = decision.explanation.zh.split("。")
    en = decision.explanation.en.split(". ")
    return Quorum(
        seats=tally.seats,
        present=tally.present,
        proxies=tally.proxies,
        absent=tally.absent,
        unrecorded=tally.unrecorded,
        quorate=check.met,
        needed=check.needed,
        rule=check.source,
        explanation_zh=(zh[1] + "。") if len(zh) > 1 else decision.explanation.zh,
        explanation_en=(en[1] + ".") if len(en) > 1 else decision.explanation.en,
    )


@strawberry.type
class AttendanceEntry:
    seat: Seat
    status: AttendanceStatus
    proxy_holder: Seat | None
    proxy_document: str | None = strawberry.field(description="the written entrustment")


async def _tally_loader(
    session: Any, meeting_rows: Sequence[models.Meeting]
) -> list[meetings.Tally]:
    return await meetings.tallies(session, meeting_rows)


@strawberry.federation.type(keys=["id"], description="A meeting of a body.")
class Meeting:
    id: strawberry.ID
    row: strawberry.Private[models.Meeting]
    body: BodyKind
    title: str
    mode: MeetingMode
    starts_at: datetime
    place: str | None
    link: str | None
    voting_deadline: datetime | None
    convened_as: str = strawberry.field(
        description="the charter actor who convened it, and the article"
    )
    attendance_closed: bool

    @classmethod
    def from_row(cls, row: models.Meeting) -> Meeting:
        return cls(
            id=strawberry.ID(str(row.id)),
            row=row,
            body=BodyId(row.body),
            title=row.title,
            mode=MeetingMode(row.mode),
            starts_at=row.starts_at,
            place=row.place,
            link=row.link,
            voting_deadline=row.voting_deadline,
            convened_as=row.convened_as,
            attendance_closed=row.attendance_closed_at is not None,
        )

    @strawberry.field(description="The motions on the agenda, in order.")
    async def agenda(self, info: Info) -> list[Motion]:
        ids = [uuid.UUID(a) for a in self.row.agenda]
        found = await loader(
            info, lambda s, k: reading.by_ids(s, models.Motion, k), "motions_by_id"
        ).load_many(ids)
        return [Motion.from_row(m) for m in found if m is not None]

    @strawberry.field(description="Attendance recorded so far, seat by seat.")
    async def attendance(self, info: Info) -> list[AttendanceEntry]:
        rows = await loader(info, reading.attendance_of, "attendance_of").load(self.row.id)
        holders = await loader(info, seats.seats_by_id, "seats_by_id").load_many(
            [a.proxy_seat_id for a, _ in rows if a.proxy_seat_id]
        )
        by_id = {h.id: h for h in holders if h is not None}
        return [
            AttendanceEntry(
                seat=Seat.from_row(s),
                status=AttendanceStatus(a.status),
                proxy_holder=Seat.from_row(by_id[a.proxy_seat_id])
                if a.proxy_seat_id in by_id
                else None,
                proxy_document=a.proxy_document,
            )
            for a, s in rows
        ]

    @strawberry.field(description="The quorum as attendance stands, with the rule and article.")
    async def quorum(self, info: Info) -> Quorum | None:
        tally = await loader(info, _tally_loader, "tallies").load(self.row)
        found = await loader(info, charters.in_force_of, "charters_in_force").load(
            self.row.alliance_id
        )
        if found is None:
            raise NotFound("governance has not received this alliance's charter yet")
        return quorum_from(found[1], self.row.body, tally)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Meeting | None:
        found = await loader(
            info, lambda s, k: reading.by_ids(s, models.Meeting, k), "meetings_by_id"
        ).load(uuid.UUID(str(id)))
        return cls.from_row(found) if found else None


# --------------------------------------------------------------------------- motions


@strawberry.type(description="A stage's result: computed once at close, the same in every view.")
class VoteResult:
    entitled: int
    present: int
    proxies: int
    attending: int = strawberry.field(
        description="present, plus proxies where the rule counts them"
    )
    yes: int
    no: int
    abstain: int
    quorate: bool
    passed: bool
    outcome: Outcome
    rule: str
    explanation_zh: str
    explanation_en: str

    @classmethod
    def from_result(cls, r: dict[str, Any]) -> VoteResult:
        c = r["counts"]
        return cls(
            entitled=c["seats"],
            present=c["present"],
            proxies=c["proxies"],
            attending=c["attending"],
            yes=c["yes"],
            no=c["no"],
            abstain=c["abstain"],
            quorate=r["quorate"],
            passed=r["passed"],
            outcome=Outcome(r["outcome"]),
            rule=r["rule"],
            explanation_zh=r["explanation"]["zh"],
            explanation_en=r["explanation"]["en"],
        )


@strawberry.type(
    description="Ballots cast so far (the running count only where the vote is named)."
)
class Turnout:
    ballots: int
    yes: int | None
    no: int | None
    abstain: int | None


@strawberry.type(description="One line of a published ballot list (a secret vote shows no seat).")
class PublishedBallot:
    receipt: str
    choice: BallotChoice
    by_proxy: bool
    seat: Seat | None


@strawberry.type(description="A motion's vote by one body.")
class VoteStage:
    id: strawberry.ID
    row: strawberry.Private[models.Stage]
    index: int
    step: str
    body: BodyKind
    alternatives: list[BodyKind]
    status: StageStatus
    secret: bool
    rule_source: str
    charter_version: int | None
    meeting_id: strawberry.ID | None
    opened_at: datetime | None
    deadline: datetime | None
    closed_at: datetime | None
    ballot_list_hash: str | None = strawberry.field(
        description="SHA-256 (hex) of the ballot list: 'receipt:choice' lines in order cast"
    )

    @classmethod
    def from_row(cls, row: models.Stage) -> VoteStage:
        return cls(
            id=strawberry.ID(str(row.id)),
            row=row,
            index=row.index,
            step=row.step,
            body=BodyId(row.body),
            alternatives=[BodyId(b) for b in row.alternatives],
            status=StageStatus(row.status),
            secret=row.secret,
            rule_source=row.source,
            charter_version=row.charter_version,
            meeting_id=strawberry.ID(str(row.meeting_id)) if row.meeting_id else None,
            opened_at=row.opened_at,
            deadline=row.deadline,
            closed_at=row.closed_at,
            ballot_list_hash=row.ballot_list_hash,
        )

    @strawberry.field
    def result(self) -> VoteResult | None:
        return VoteResult.from_result(self.row.result) if self.row.result else None

    @strawberry.field(description="Ballots so far; the running count only for a named vote.")
    async def turnout(self, info: Info) -> Turnout:
        t = await loader(info, reading.turnouts, "turnouts").load(self.row.id)
        return turnout_of(self.row, t)

    @strawberry.field(description="The ballot list, published at close.")
    async def ballots(self, info: Info) -> list[PublishedBallot]:
        rows = await loader(info, reading.ballot_lists, "ballot_lists").load(self.row.id)
        holders = (
            {}
            if self.row.secret
            else {
                s.id: s
                for s in await loader(info, seats.seats_by_id, "seats_by_id").load_many(
                    [b.seat_id for b in rows]
                )
                if s is not None
            }
        )
        return [
            PublishedBallot(
                receipt=b.receipt,
                choice=BallotChoice(b.choice),
                by_proxy=b.by_proxy,
                seat=Seat.from_row(holders[b.seat_id]) if b.seat_id in holders else None,
            )
            for b in rows
        ]


def turnout_of(stage: models.Stage, t: dict[str, int]) -> Turnout:
    named = not stage.secret
    return Turnout(
        ballots=t["ballots"],
        yes=t["yes"] if named else None,
        no=t["no"] if named else None,
        abstain=t["abstain"] if named else None,
    )


@strawberry.type
class ProposedChange:
    path: str
    new: strawberry.scalars.JSON | None


@strawberry.federation.type(keys=["id"], description="A matter put to a body's vote.")
class Motion:
    id: strawberry.ID
    row: strawberry.Private[models.Motion]
    title: str
    matter: MatterKind
    matter_id: strawberry.ID | None = strawberry.field(
        description="the application, budget … it decides"
    )
    procedure: str | None
    status: MotionStatus
    outcome: Outcome | None
    origin: str
    changes: list[ProposedChange]
    created_at: datetime
    decided_at: datetime | None
    declined_reasons: str | None = strawberry.field(
        description="Why the secretariat's review did not send it on (status DECLINED)."
    )

    @classmethod
    def from_row(cls, row: models.Motion) -> Motion:
        return cls(
            id=strawberry.ID(str(row.id)),
            row=row,
            title=row.title,
            matter=MatterKind(row.matter),
            matter_id=strawberry.ID(str(row.matter_id)) if row.matter_id else None,
            procedure=row.procedure,
            status=MotionStatus(row.status),
            outcome=Outcome(row.outcome) if row.outcome else None,
            origin=row.origin,
            changes=[ProposedChange(path=c["path"], new=c.get("new")) for c in row.changes],
            created_at=row.created_at,
            decided_at=row.decided_at,
            declined_reasons=row.declined_reasons,
        )

    @strawberry.field(description="Its votes, in the order the charter's procedure sets.")
    async def stages(self, info: Info) -> list[VoteStage]:
        rows = await loader(info, reading.stages_of, "stages_of").load(self.row.id)
        return [VoteStage.from_row(s) for s in rows]

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Motion | None:
        found = await loader(
            info, lambda s, k: reading.by_ids(s, models.Motion, k), "motions_by_id"
        ).load(uuid.UUID(str(id)))
        return cls.from_row(found) if found else None


@strawberry.type(description="A ballot's receipt: check it against the published ballot list.")
class BallotReceipt:
    receipt: str
    stage_id: strawberry.ID
    seat_id: strawberry.ID
    by_proxy: bool


def now() -> datetime:
    return datetime.now(UTC)
